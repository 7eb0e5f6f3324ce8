import { parseXml, type XmlElement } from '../cib/xml.js';

/** A resource agent as a primitive names it. */
export interface AgentSpec {
  class: string;
  provider?: string;
  type: string;
}

export interface AgentParameter {
  name: string;
  /** Required and not merely an old alias of another parameter. */
  required: boolean;
}

/** What vigil needs from an agent's meta-data: its parameters. */
export interface AgentMetadata {
  parameters: AgentParameter[];
}

/** Looks an agent up; undefined when it is not installed (or gives no meta-data). */
export type LookupAgent = (spec: AgentSpec) => AgentMetadata | undefined;

export function agentName(spec: AgentSpec): string {
  return spec.provider ? `${spec.class}:${spec.provider}:${spec.type}` : `${spec.class}:${spec.type}`;
}

/** Reads OCF / fence-agent meta-data XML; throws on malformed XML. */
export function parseAgentMetadata(xml: string): AgentMetadata {
  const root = parseXml(xml, 'meta-data');
  const params = root.children.find((c) => c.name === 'parameters');
  return {
    parameters: (params?.children ?? [])
      .filter((p: XmlElement) => p.name === 'parameter' && p.attrs.name)
      .map((p: XmlElement) => ({
        name: p.attrs.name,
        // A deprecated parameter, or one that replaces an old name, may be given under either name.
        required: p.attrs.required === '1' && p.attrs.deprecated === undefined && p.attrs.obsoletes === undefined,
      })),
  };
}

/** Parameters the fencer adds to every fence device, and ones it fills in itself. */
function fencerHandles(spec: AgentSpec, name: string, forRequired: boolean): boolean {
  if (spec.class !== 'stonith') return false;
  if (!forRequired) return name.startsWith('pcmk_') || name === 'priority' || name === 'provides';
  return (spec.type.startsWith('fence_') || spec.type.startsWith('rhcs/')) && (name === 'action' || name === 'port');
}

/** Unknown and missing parameters of a primitive, as messages naming the resource. */
export function checkParameters(rscId: string, spec: AgentSpec, meta: AgentMetadata, given: string[], checkRequired: boolean): string[] {
  const known = new Set(meta.parameters.map((p) => p.name));
  const problems: string[] = [];
  if (checkRequired) {
    for (const p of meta.parameters) {
      if (p.required && !given.includes(p.name) && !fencerHandles(spec, p.name, true)) problems.push(`${rscId}: required parameter "${p.name}" not defined (${agentName(spec)})`);
    }
  }
  for (const name of given) {
    if (!known.has(name) && !fencerHandles(spec, name, false)) problems.push(`${rscId}: parameter "${name}" is not known to ${agentName(spec)}`);
  }
  return problems;
}
