import { parseDurationMs } from '../cib/values.js';
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

/** An action the agent advertises, with the timeout it advises. */
export interface AgentAction {
  name: string;
  timeout?: string;
  role?: string;
}

/** What vigil needs from an agent's meta-data: its parameters and advised action timeouts. */
export interface AgentMetadata {
  parameters: AgentParameter[];
  actions?: AgentAction[];
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
  const actions = root.children.find((c) => c.name === 'actions');
  return {
    actions: (actions?.children ?? [])
      .filter((a: XmlElement) => a.name === 'action' && a.attrs.name)
      .map((a: XmlElement) => ({ name: a.attrs.name, ...(a.attrs.timeout !== undefined ? { timeout: a.attrs.timeout } : {}), ...(a.attrs.role !== undefined ? { role: a.attrs.role } : {}) })),
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

const SAME_ROLE: Record<string, string> = { Master: 'Promoted', Slave: 'Unpromoted' };

/** crmsh's warning for an operation timeout below what the agent advises. */
export function timeoutAdvice(rscId: string, meta: AgentMetadata, op: { name: string; timeout?: string; role?: string }): string | undefined {
  if (op.timeout === undefined) return undefined;
  const role = (r: string | undefined): string | undefined => (r === undefined ? undefined : (SAME_ROLE[r] ?? r));
  const candidates = (meta.actions ?? []).filter((a) => a.name === op.name && a.timeout !== undefined);
  const advised = candidates.find((a) => role(a.role) === role(op.role)) ?? candidates[0];
  if (advised?.timeout === undefined) return undefined;
  const given = parseDurationMs(op.timeout);
  const wanted = parseDurationMs(advised.timeout);
  if (given === undefined || wanted === undefined || given >= wanted) return undefined;
  return `${rscId}: timeout ${op.timeout} for ${op.name} is smaller than the advised ${advised.timeout}`;
}
