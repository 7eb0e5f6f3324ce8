import type { XmlElement } from '../cib/xml.js';
import { agentName, checkParameters, timeoutAdvice, type AgentSpec, type LookupAgent } from './agents.js';
import type { Problem } from './errors.js';
import { walk } from './ids.js';
import { sectionOf } from './load.js';
import { CLUSTER_OPTIONS, RESOURCE_META, checkValue, isDateSpecValue } from './values.js';

export interface CheckReport {
  /** Refuse the commit. */
  errors: Problem[];
  /** Agent problems: refuse the commit unless forced (crm -F). */
  agentErrors: Problem[];
  warnings: Problem[];
}

const RESOURCE_TAGS = new Set(['primitive', 'template', 'group', 'clone', 'master', 'bundle']);

/**
 * The checks that belong to the crm language rather than to the CIB, made before a commit:
 * agents and their parameters (crmsh's meta-data check), members of fencing levels, and the values
 * crmsh lets through that `verifyCib` (crm_verify's checks, run after these) does not look at.
 * `touched` names the objects the load created or changed: only their agents are looked up.
 */
export function checkConfiguration(config: XmlElement, touched: Set<string>, lookupAgent: LookupAgent): CheckReport {
  const report: CheckReport = { errors: [], agentErrors: [], warnings: [] };
  const err = (message: string, id?: string): void => void report.errors.push(id === undefined ? { message } : { message, id });
  const warn = (message: string, id?: string): void => void report.warnings.push(id === undefined ? { message } : { message, id });
  const resources = sectionOf(config, 'resources', false);
  const constraints = sectionOf(config, 'constraints', false);
  const nodes = sectionOf(config, 'nodes', false);

  const rscById = new Map<string, XmlElement>();
  if (resources) walk(resources, (e) => { if (e !== resources && RESOURCE_TAGS.has(e.name) && e.attrs.id) rscById.set(e.attrs.id, e); });

  checkProperties(config, err);
  for (const [id, rsc] of rscById) {
    for (const set of rsc.children.filter((c) => c.name === 'meta_attributes')) checkNvpairs(set, RESOURCE_META, `${id}: meta attribute`, err, id);
    for (const set of rsc.children.filter((c) => c.name === 'instance_attributes' || c.name === 'utilization')) checkNvpairs(set, {}, `${id}: parameter`, err, id);
    for (const ops of rsc.children.filter((c) => c.name === 'operations')) {
      for (const op of ops.children.filter((c) => c.name === 'op')) for (const set of op.children) if (set.name !== 'rule') checkNvpairs(set, {}, `${id}: op ${op.attrs.name} parameter`, err, id);
    }
    if ((rsc.name === 'primitive' || rsc.name === 'template') && touched.has(id)) checkAgent(id, rsc, rscById, lookupAgent, report);
  }
  for (const defaults of ['rsc_defaults', 'op_defaults'] as const) {
    for (const set of sectionOf(config, defaults, false)?.children ?? []) {
      checkNvpairs(set, defaults === 'rsc_defaults' ? RESOURCE_META : {}, `${defaults} ${set.attrs.id}:`, err, set.attrs.id);
    }
  }
  for (const node of nodes?.children ?? []) for (const set of node.children) if (set.name !== 'rule') checkNvpairs(set, {}, `node ${node.attrs.uname}: attribute`, err, node.attrs.id);

  for (const c of constraints?.children ?? []) {
    // crmsh reads a word where a score should be as a score-attribute, which a colocation cannot have.
    if (c.name === 'rsc_colocation' && c.attrs['score-attribute'] !== undefined) err(`colocation ${c.attrs.id}: '${c.attrs['score-attribute']}' is not a score (an integer, inf, -inf or +inf)`, c.attrs.id);
    walk(c, (e) => checkDateParts(c.attrs.id, e, err));
  }

  const topology = sectionOf(config, 'fencing-topology', false);
  for (const level of topology?.children ?? []) {
    for (const dev of (level.attrs.devices ?? '').split(',')) {
      // A device that does not exist at all is verifyCib's to report.
      const rsc = rscById.get(dev);
      if (rsc && rsc.attrs.class !== 'stonith') err(`fencing_topology: level ${level.attrs.index} uses ${dev}, which is not a fencing device`, dev);
    }
  }
  if (topology && touched.has('fencing_topology') && topology.children.length === 0) {
    warn('fencing_topology: no levels stored (devices given without a node, and no node in the CIB yet to apply them to)');
  }
  return report;
}

type Report = (message: string, id?: string) => void;

/** Enumerated, integer and score options: verifyCib checks the boolean and duration ones. */
function checkProperties(config: XmlElement, err: Report): void {
  for (const set of sectionOf(config, 'crm_config', false)?.children ?? []) {
    for (const nv of set.children) {
      if (nv.name !== 'nvpair' || nv.attrs.name === undefined) continue;
      const kind = Object.hasOwn(CLUSTER_OPTIONS, nv.attrs.name) ? CLUSTER_OPTIONS[nv.attrs.name] : undefined;
      if (kind === undefined || kind === 'boolean' || kind === 'duration') continue;
      if (nv.attrs.value === undefined) err(`property ${nv.attrs.name} has no value`, set.attrs.id);
      else {
        const want = checkValue(kind, nv.attrs.value);
        if (want) err(`property ${nv.attrs.name}=${nv.attrs.value}: expected ${want}`, set.attrs.id);
      }
    }
  }
}

function checkNvpairs(set: XmlElement, kinds: Record<string, Parameters<typeof checkValue>[0]>, what: string, err: Report, id?: string): void {
  for (const nv of set.children) {
    if (nv.name !== 'nvpair' || nv.attrs['id-ref'] !== undefined) continue;
    if (nv.attrs.value === undefined) {
      err(`${what} ${nv.attrs.name} has no value (write ${nv.attrs.name}=VALUE)`, id);
      continue;
    }
    const kind = Object.hasOwn(kinds, nv.attrs.name) ? kinds[nv.attrs.name] : undefined;
    const want = kind === undefined ? undefined : checkValue(kind, nv.attrs.value);
    if (want) err(`${what} ${nv.attrs.name}=${nv.attrs.value}: expected ${want}`, id);
  }
}

function checkDateParts(id: string, e: XmlElement, err: Report): void {
  if (e.name === 'date_expression' && e.attrs.operation === 'in_range' && e.attrs.end === undefined && !e.children.some((c) => c.name === 'duration')) {
    err(`constraint ${id}: date in needs end= or a duration`, id);
  }
  if (e.name === 'date_spec' || e.name === 'duration') {
    for (const [k, v] of Object.entries(e.attrs)) {
      if (k === 'id') continue;
      const ok = e.name === 'date_spec' ? isDateSpecValue(v) : /^\d+$/.test(v);
      if (!ok) err(`constraint ${id}: ${e.name === 'date_spec' ? 'date spec' : 'duration'} ${k}=${v}: expected ${e.name === 'date_spec' ? 'a number or a range N-M' : 'a number'}`, id);
    }
  }
}

function specOf(rsc: XmlElement): AgentSpec | undefined {
  if (rsc.attrs.class === undefined || rsc.attrs.type === undefined) return undefined;
  return rsc.attrs.provider !== undefined ? { class: rsc.attrs.class, provider: rsc.attrs.provider, type: rsc.attrs.type } : { class: rsc.attrs.class, type: rsc.attrs.type };
}

function paramNames(rsc: XmlElement): string[] {
  return rsc.children
    .filter((c) => c.name === 'instance_attributes' && !c.children.some((r) => r.name === 'rule'))
    .flatMap((set) => set.children.filter((n) => n.name === 'nvpair' && n.attrs.name !== undefined).map((n) => n.attrs.name));
}

function checkAgent(id: string, rsc: XmlElement, rscById: Map<string, XmlElement>, lookupAgent: LookupAgent, report: CheckReport): void {
  const template = rsc.attrs.template !== undefined ? rscById.get(rsc.attrs.template) : undefined;
  const spec = specOf(template ?? rsc);
  if (!spec) return;
  const meta = lookupAgent(spec);
  if (!meta) {
    report.agentErrors.push({ id, message: `${id}: ${agentName(spec)}: no such resource agent (it gave no meta-data; is it installed?)` });
    return;
  }
  const given = [...new Set([...(template ? paramNames(template) : []), ...paramNames(rsc)])];
  for (const message of checkParameters(id, spec, meta, given, rsc.name === 'primitive')) report.agentErrors.push({ id, message });
  for (const ops of rsc.children.filter((c) => c.name === 'operations')) {
    for (const op of ops.children.filter((c) => c.name === 'op')) {
      const advice = timeoutAdvice(id, meta, { name: op.attrs.name, timeout: op.attrs.timeout, role: op.attrs.role });
      if (advice) report.warnings.push({ id, message: advice });
    }
  }
}
