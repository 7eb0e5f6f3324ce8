import type { XmlElement } from '../cib/xml.js';
import { checkParameters, agentName, type AgentSpec, type LookupAgent } from './agents.js';
import type { Problem } from './errors.js';
import { walk } from './ids.js';
import { sectionOf } from './load.js';
import {
  CLUSTER_OPTIONS,
  OP_NAMES,
  OP_VALUES,
  RESOURCE_META,
  checkValue,
  isDateSpecValue,
  isFalse,
  isIsoDateTime,
} from './values.js';

export interface CheckReport {
  /** Refuse the commit. */
  errors: Problem[];
  /** Agent problems: refuse the commit unless forced (crm -F). */
  agentErrors: Problem[];
  warnings: Problem[];
}

const RESOURCE_TAGS = new Set(['primitive', 'template', 'group', 'clone', 'master', 'bundle']);

/**
 * What crmsh and crm_verify check before a commit, plus the values crmsh lets through and
 * Pacemaker would then misread (see docs/crm-differences.md). `touched` names the objects the
 * load created or changed: only their agents are looked up.
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
  const tagIds = new Set((sectionOf(config, 'tags', false)?.children ?? []).map((t) => t.attrs.id));
  const allIds = new Set<string>();
  walk(config, (e) => { if (e.attrs.id && e.name !== 'resource_ref' && e.name !== 'obj_ref') allIds.add(e.attrs.id); });
  const nodeNames = new Set((nodes?.children ?? []).flatMap((n) => [n.attrs.uname, n.attrs.id]));

  checkProperties(config, err, warn);

  // Resources: templates, meta-attributes, operations, agents.
  for (const [id, rsc] of rscById) {
    if (rsc.name === 'primitive' && rsc.attrs.template !== undefined && rscById.get(rsc.attrs.template)?.name !== 'template') {
      err(`${id}: no such resource template ${rsc.attrs.template}`, id);
    }
    for (const set of rsc.children.filter((c) => c.name === 'meta_attributes')) checkNvpairs(set, RESOURCE_META, `${id}: meta attribute`, err, id);
    for (const set of rsc.children.filter((c) => c.name === 'instance_attributes' || c.name === 'utilization')) checkNvpairs(set, {}, `${id}: parameter`, err, id);
    for (const ops of rsc.children.filter((c) => c.name === 'operations')) {
      for (const op of ops.children.filter((c) => c.name === 'op')) checkOp(id, op, err);
    }
    if ((rsc.name === 'primitive' || rsc.name === 'template') && touched.has(id)) checkAgent(id, rsc, rscById, lookupAgent, report);
  }
  for (const defaults of ['rsc_defaults', 'op_defaults'] as const) {
    for (const set of sectionOf(config, defaults, false)?.children ?? []) {
      checkNvpairs(set, defaults === 'rsc_defaults' ? RESOURCE_META : OP_VALUES, `${defaults} ${set.attrs.id}:`, err, set.attrs.id);
    }
  }
  for (const node of nodes?.children ?? []) for (const set of node.children) if (set.name !== 'rule') checkNvpairs(set, {}, `node ${node.attrs.uname}: attribute`, err, node.attrs.id);

  // Constraints: references, scores, rules.
  const isResource = (ref: string): boolean => rscById.has(ref) || tagIds.has(ref);
  for (const c of constraints?.children ?? []) {
    const id = c.attrs.id;
    const refs = ['rsc', 'with-rsc', 'first', 'then'].flatMap((a) => (c.attrs[a] !== undefined ? [c.attrs[a]] : []));
    walk(c, (e) => { if (e.name === 'resource_ref') refs.push(e.attrs.id); });
    for (const ref of refs) if (!isResource(ref)) err(`constraint ${id} references a resource ${ref} which doesn't exist`, id);
    if (c.name === 'rsc_colocation' && c.attrs['score-attribute'] !== undefined) err(`colocation ${id}: '${c.attrs['score-attribute']}' is not a score (an integer, inf, -inf or +inf)`, id);
    if (c.name === 'rsc_location' && c.attrs.node !== undefined && c.attrs['score-attribute'] !== undefined) err(`location ${id}: '${c.attrs['score-attribute']}' is not a score (an integer, inf, -inf or +inf)`, id);
    if (c.name === 'rsc_location' && c.attrs.node !== undefined && !nodeNames.has(c.attrs.node)) warn(`location ${id}: node ${c.attrs.node} does not exist (yet)`, id);
    walk(c, (e) => checkDates(id, e, err));
  }

  // Tags and fencing topology must name things that exist.
  for (const tag of sectionOf(config, 'tags', false)?.children ?? []) {
    for (const ref of tag.children) if (ref.name === 'obj_ref' && !allIds.has(ref.attrs.id)) err(`tag ${tag.attrs.id} refers to ${ref.attrs.id}, which does not exist`, tag.attrs.id);
  }
  const topology = sectionOf(config, 'fencing-topology', false);
  for (const level of topology?.children ?? []) {
    for (const dev of (level.attrs.devices ?? '').split(',')) {
      if (rscById.get(dev)?.attrs.class !== 'stonith') err(`fencing_topology: level ${level.attrs.index} uses ${dev}, which is not a fencing device`, dev);
    }
  }
  if (topology && touched.has('fencing_topology') && topology.children.length === 0) {
    warn('fencing_topology: no levels stored (devices given without a node, and no node in the CIB yet to apply them to)');
  }

  // Fencing: Pacemaker refuses to start resources without a fencing device unless stonith-enabled=false.
  const stonithEnabled = !propertyValues(config, 'stonith-enabled').some(isFalse);
  const primitives = [...rscById.values()].filter((r) => r.name === 'primitive');
  const hasFencing = primitives.some((r) => (r.attrs.class ?? rscById.get(r.attrs.template ?? '')?.attrs.class) === 'stonith');
  if (stonithEnabled && primitives.length > 0 && !hasFencing) {
    err('resources are configured but no fencing device is, and stonith-enabled is not false: configure a stonith primitive or set property stonith-enabled=false');
  }
  for (const c of constraints?.children ?? []) {
    if (c.name === 'rsc_ticket' && c.attrs['loss-policy'] === 'fence' && (!stonithEnabled || !hasFencing)) {
      err(`rsc_ticket ${c.attrs.id}: loss-policy=fence needs fencing (stonith-enabled and a fencing device)`, c.attrs.id);
    }
  }
  return report;
}

function propertyValues(config: XmlElement, name: string): string[] {
  const out: string[] = [];
  for (const set of sectionOf(config, 'crm_config', false)?.children ?? []) {
    for (const nv of set.children) if (nv.name === 'nvpair' && nv.attrs.name === name && nv.attrs.value !== undefined) out.push(nv.attrs.value);
  }
  return out;
}

type Report = (message: string, id?: string) => void;

function checkProperties(config: XmlElement, err: Report, warn: Report): void {
  for (const set of sectionOf(config, 'crm_config', false)?.children ?? []) {
    for (const nv of set.children) {
      if (nv.name !== 'nvpair' || nv.attrs.name === undefined) continue;
      const kind = Object.hasOwn(CLUSTER_OPTIONS, nv.attrs.name) ? CLUSTER_OPTIONS[nv.attrs.name] : undefined;
      if (kind === undefined) warn(`${set.attrs.id}: unknown cluster option '${nv.attrs.name}'`, set.attrs.id);
      else if (nv.attrs.value === undefined) err(`property ${nv.attrs.name} has no value`, set.attrs.id);
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

function checkOp(rscId: string, op: XmlElement, err: Report): void {
  const name = op.attrs.name;
  if (!OP_NAMES.includes(name)) err(`${rscId}: op ${name}: unknown operation (expected one of ${OP_NAMES.join(', ')})`, rscId);
  for (const [attr, kind] of Object.entries(OP_VALUES)) {
    const value = op.attrs[attr];
    if (value === undefined) continue;
    const want = checkValue(kind, value);
    if (want) err(`${rscId}: op ${name} ${attr}=${value}: expected ${want}`, rscId);
  }
  for (const set of op.children) if (set.name !== 'rule') checkNvpairs(set, {}, `${rscId}: op ${name} parameter`, err, rscId);
}

function checkDates(id: string, e: XmlElement, err: Report): void {
  if (e.name === 'date_expression') {
    for (const attr of ['start', 'end']) {
      const v = e.attrs[attr];
      if (v !== undefined && !isIsoDateTime(v)) err(`constraint ${id}: date ${v} is not an ISO 8601 date (such as 2025-06-30 or 2025-06-30T12:00:00)`, id);
    }
    const op = e.attrs.operation;
    if (op === 'in_range' && e.attrs.end === undefined && !e.children.some((c) => c.name === 'duration')) err(`constraint ${id}: date in needs end= or a duration`, id);
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
}
