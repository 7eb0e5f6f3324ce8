import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { XmlElement } from '../../src/cib/xml.js';
import type { AgentMetadata, LookupAgent } from '../../src/crm/agents.js';
import { systemAgentLookup } from '../../src/crm/io/agents.js';

/** The crm conformance corpus beside the repository (shared/conformance/crm/cases), if present. */
export const CASES_DIR = fileURLToPath(new URL('../../../shared/conformance/crm/cases', import.meta.url));
export const HAVE_CORPUS = existsSync(CASES_DIR);
if (!HAVE_CORPUS) console.warn(`crm corpus not found at ${CASES_DIR}: corpus tests are skipped`);

export interface Case {
  name: string;
  crm: string;
  flags: string[];
  xml?: string;
  show?: string;
  err?: string;
}

export function corpusCases(): Case[] {
  if (!HAVE_CORPUS) return [];
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.crm'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      const read = (ext: string): string | undefined => (existsSync(`${CASES_DIR}/${name}.${ext}`) ? readFileSync(`${CASES_DIR}/${name}.${ext}`, 'utf8') : undefined);
      return { name, crm: read('crm') as string, flags: (read('flags') ?? '').trim().split(/\s+/).filter(Boolean), xml: read('xml'), show: read('show'), err: read('err') };
    });
}

/** check.mjs's comparison: attribute order, whitespace and empty top-level sections do not matter. */
export function normalized(el: XmlElement, depth = 0): unknown {
  const volatile = new Set(['epoch', 'num_updates', 'admin_epoch', 'cib-last-written', 'update-origin', 'update-client', 'update-user', 'have-quorum', 'dc-uuid', 'crm_feature_set', 'validate-with', 'execution-date']);
  const attrs = Object.entries(el.attrs).filter(([k]) => !volatile.has(k)).sort();
  let children = el.children.map((c) => normalized(c, depth + 1) as { attrs: unknown[]; children: unknown[] });
  if (depth === 0) children = children.filter((c) => c.attrs.length > 0 || c.children.length > 0);
  return { name: el.name, attrs, children, text: el.text?.trim() ?? '' };
}

/** Quirk cases crmsh accepts and vigil deliberately refuses (docs/crm-differences.md). */
export const REFUSED_QUIRKS = [
  'quirk-bad-interval-accepted',
  'quirk-bad-meta-boolean-accepted',
  'quirk-date-bad-value-accepted',
  'quirk-group-missing-member-dropped',
  'quirk-param-without-value',
  'quirk-tag-unknown-ref',
  'quirk-unknown-op-name-accepted',
];

/** `show` outputs vigil deliberately prints differently from crmsh (docs/crm-differences.md). */
export const SHOW_DIFFERENCES = [
  'fence-topo-attribute', // vigil prints `fencing_topology attr:rack=r1 f1`, crmsh an xml block
  'prim-comments-blank', // the CIB file model keeps no XML comments, so `#` comments are not shown back
];

/**
 * Agents the corpus uses that come from optional Debian packages. When the package is missing the
 * corpus test falls back to the parameters the agent declares (and says so), so that a machine
 * without them still checks everything else; CI installs them and checks the real meta-data.
 */
const OPTIONAL_AGENTS: Record<string, { pkg: string; meta: AgentMetadata }> = {
  'ocf:linbit:drbd': { pkg: 'drbd-utils', meta: { parameters: [{ name: 'drbd_resource', required: true }, { name: 'drbdconf', required: false }] } },
  'stonith::external/ssh': { pkg: 'cluster-glue', meta: { parameters: [{ name: 'hostlist', required: true }] } },
  'lsb::postgresql': { pkg: 'postgresql-common', meta: { parameters: [] } },
};

export function corpusAgentLookup(): LookupAgent {
  const system = systemAgentLookup();
  const warned = new Set<string>();
  return (spec) => {
    const found = system(spec);
    const key = `${spec.class}:${spec.provider ?? ''}:${spec.type}`;
    const optional = OPTIONAL_AGENTS[key];
    if (found || !optional) return found;
    if (!warned.has(key)) console.warn(`${key} is not installed (Debian package ${optional.pkg}): using its recorded parameters`);
    warned.add(key);
    return optional.meta;
  };
}
