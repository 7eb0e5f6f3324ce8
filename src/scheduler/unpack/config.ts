import type { XmlElement } from '../../cib/xml.js';
import { evaluateRule, normaliseRole, type RuleContext } from '../rules.js';
import { parseIntervalMs, parseScore } from '../score.js';
import type { Clone, Group, OpDef, Primitive, Resource, Role } from '../model.js';
import { forcedAnonymous } from '../clones/forced-anonymous.js';

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/**
 * Name/value pairs of every `setName` block of `el`, first value of a name winning. Blocks
 * are taken by descending `score`; blocks whose rule is false are skipped.
 */
export function readNvSets(el: XmlElement | undefined, setName: string, ctx: RuleContext, into = new Map<string, string>(), idRefs?: Map<string, XmlElement>): Map<string, string> {
  // Called for every op of every resource, which mostly have no such block, or one: spare the sort.
  const sets = children(el, setName);
  if (sets.length === 0) return into;
  const sorted =
    sets.length === 1
      ? [{ s: resolveRef(sets[0], idRefs) }]
      : sets
          .map((raw, i) => {
            const s = resolveRef(raw, idRefs);
            return { s, i, score: parseScore(s.attrs.score) ?? 0 };
          })
          .sort((a, b) => b.score - a.score || a.i - b.i);
  for (const { s } of sorted) {
    const rule = child(s, 'rule');
    if (rule && !evaluateRule(rule, ctx)) continue;
    for (const nv of children(s, 'nvpair')) {
      const name = nv.attrs.name;
      if (name === undefined) continue;
      if (!into.has(name) && nv.attrs.value !== undefined) into.set(name, nv.attrs.value);
    }
  }
  return into;
}

function resolveRef(el: XmlElement, idRefs: Map<string, XmlElement> | undefined): XmlElement {
  const ref = el.attrs['id-ref'];
  if (ref !== undefined && idRefs?.has(ref)) return idRefs.get(ref) as XmlElement;
  return el;
}

export interface ClusterConfig {
  props: Map<string, string>;
  rscDefaults: XmlElement | undefined;
  opDefaults: XmlElement | undefined;
  templates: Map<string, XmlElement>;
  idRefs: Map<string, XmlElement>;
}

export function readClusterConfig(cib: XmlElement, now: number): ClusterConfig {
  const config = child(cib, 'configuration');
  const idRefs = new Map<string, XmlElement>();
  const walk = (el: XmlElement): void => {
    if (el.attrs.id !== undefined && el.attrs['id-ref'] === undefined && !idRefs.has(el.attrs.id)) idRefs.set(el.attrs.id, el);
    for (const c of el.children) walk(c);
  };
  if (config) walk(config);
  const props = readNvSets(child(config, 'crm_config'), 'cluster_property_set', { now }, new Map(), idRefs);
  const templates = new Map<string, XmlElement>();
  for (const t of children(child(config, 'resources'), 'template')) if (t.attrs.id) templates.set(t.attrs.id, t);
  return {
    props,
    rscDefaults: child(config, 'rsc_defaults'),
    opDefaults: child(config, 'op_defaults'),
    templates,
    idRefs,
  };
}

interface BuildCtx {
  cfg: ClusterConfig;
  now: number;
  nodeCount: number;
  unsupported: Set<string>;
}

/** Resource definitions in configuration order, clones not yet expanded into instances. */
export function readResources(cib: XmlElement, cfg: ClusterConfig, now: number, nodeCount: number, unsupported: Set<string>): Resource[] {
  const resources = child(child(cib, 'configuration'), 'resources');
  const ctx: BuildCtx = { cfg, now, nodeCount, unsupported };
  const out: Resource[] = [];
  let order = 0;
  for (const el of resources?.children ?? []) {
    const r = buildResource(el, undefined, ctx, order);
    if (r) {
      out.push(r);
      order++;
    }
  }
  return out;
}

function metaOf(el: XmlElement, parentMeta: Map<string, string> | undefined, rsc: { class: string; provider?: string; type: string } | undefined, ctx: BuildCtx, template?: XmlElement): Map<string, string> {
  const rctx: RuleContext = { now: ctx.now, rsc };
  const meta = readNvSets(el, 'meta_attributes', rctx, new Map(), ctx.cfg.idRefs);
  if (template) readNvSets(template, 'meta_attributes', rctx, meta, ctx.cfg.idRefs);
  if (parentMeta) for (const [k, v] of parentMeta) if (!meta.has(k)) meta.set(k, v);
  readNvSets(ctx.cfg.rscDefaults, 'meta_attributes', rctx, meta, ctx.cfg.idRefs);
  const legacy: [string, string][] = [
    ['default-resource-stickiness', 'resource-stickiness'],
    ['is-managed-default', 'is-managed'],
    ['default-migration-threshold', 'migration-threshold'],
  ];
  for (const [prop, name] of legacy) {
    const v = ctx.cfg.props.get(prop);
    if (v !== undefined && !meta.has(name)) meta.set(name, v);
  }
  return meta;
}

function buildResource(el: XmlElement, parentMeta: Map<string, string> | undefined, ctx: BuildCtx, order: number): Resource | undefined {
  switch (el.name) {
    case 'primitive':
      return buildPrimitive(el, parentMeta, ctx, order);
    case 'group': {
      const meta = metaOf(el, parentMeta, undefined, ctx);
      const ownMeta = readNvSets(el, 'meta_attributes', { now: ctx.now }, new Map(), ctx.cfg.idRefs);
      const inherited = new Map(parentMeta ?? []);
      for (const [k, v] of ownMeta) inherited.set(k, v);
      const group: Group = { kind: 'group', id: el.attrs.id ?? '', meta, order, priority: Number(parseScore(meta.get('priority')) ?? 0), children: [] };
      let i = 0;
      for (const c of el.children) {
        if (c.name !== 'primitive') continue;
        const p = buildPrimitive(c, inherited, ctx, i++);
        p.parent = group;
        group.children.push(p);
      }
      return group;
    }
    case 'clone':
    case 'master':
      return buildClone(el, parentMeta, ctx, order);
    case 'bundle':
      ctx.unsupported.add(`bundle ${el.attrs.id ?? ''}`);
      return undefined;
    default:
      return undefined;
  }
}

function buildPrimitive(el: XmlElement, parentMeta: Map<string, string> | undefined, ctx: BuildCtx, order: number): Primitive {
  const template = el.attrs.template !== undefined ? ctx.cfg.templates.get(el.attrs.template) : undefined;
  const cls = el.attrs.class ?? template?.attrs.class ?? 'ocf';
  const provider = el.attrs.provider ?? template?.attrs.provider;
  const type = el.attrs.type ?? template?.attrs.type ?? '';
  const agent = { class: cls, provider, type };
  const meta = metaOf(el, parentMeta, agent, ctx, template);
  const params = readNvSets(el, 'instance_attributes', { now: ctx.now }, new Map(), ctx.cfg.idRefs);
  if (template) readNvSets(template, 'instance_attributes', { now: ctx.now }, params, ctx.cfg.idRefs);
  const utilization = new Map<string, number>();
  const util = readNvSets(el, 'utilization', { now: ctx.now }, new Map(), ctx.cfg.idRefs);
  if (template) readNvSets(template, 'utilization', { now: ctx.now }, util, ctx.cfg.idRefs);
  for (const [k, v] of util) utilization.set(k, Number(v) || 0);
  const ops = readOps(el, template, agent, ctx);
  const id = el.attrs.id ?? '';
  return {
    kind: 'primitive',
    id,
    configId: id,
    cls,
    provider,
    type,
    meta,
    params,
    ops,
    utilization,
    order,
    priority: Number(parseScore(meta.get('priority')) ?? 0),
    history: new Map(),
    probed: new Set(),
    orphan: false,
    displayName: id,
  };
}

/** Shared by every op without instance attributes of its own (most of them): never written to. */
const NO_PARAMS: ReadonlyMap<string, string> = new Map();

function readOps(el: XmlElement, template: XmlElement | undefined, agent: { class: string; provider?: string; type: string }, ctx: BuildCtx): OpDef[] {
  const own = children(child(el, 'operations'), 'op');
  const inherited = children(child(template, 'operations'), 'op');
  const seen = new Set<string>();
  const out: OpDef[] = [];
  for (const rawOp of [...own, ...inherited]) {
    const op = rawOp.attrs['id-ref'] !== undefined ? (ctx.cfg.idRefs.get(rawOp.attrs['id-ref']) ?? rawOp) : rawOp;
    const name = op.attrs.name ?? '';
    const intervalMs = parseIntervalMs(op.attrs.interval);
    const key = `${name}_${intervalMs}_${op.attrs.role ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const opMeta = readNvSets(op, 'meta_attributes', { now: ctx.now }, new Map(), ctx.cfg.idRefs);
    const defaults = readNvSets(ctx.cfg.opDefaults, 'meta_attributes', { now: ctx.now, rsc: agent, op: { name, intervalMs } }, new Map(), ctx.cfg.idRefs);
    const get = (k: string): string | undefined => op.attrs[k] ?? opMeta.get(k) ?? defaults.get(k);
    const role = get('role');
    out.push({
      name,
      intervalMs,
      timeoutMs: parseIntervalMs(get('timeout') ?? '20s'),
      role: role !== undefined ? (normaliseRole(role) as Role) : undefined,
      enabled: (get('enabled') ?? 'true').toLowerCase() !== 'false',
      onFail: get('on-fail'),
      params: child(op, 'instance_attributes') ? readNvSets(op, 'instance_attributes', { now: ctx.now }, new Map(), ctx.cfg.idRefs) : NO_PARAMS,
    });
  }
  return out;
}

function buildClone(el: XmlElement, parentMeta: Map<string, string> | undefined, ctx: BuildCtx, order: number): Clone | undefined {
  const meta = metaOf(el, parentMeta, undefined, ctx);
  const ownMeta = readNvSets(el, 'meta_attributes', { now: ctx.now }, new Map(), ctx.cfg.idRefs);
  const childEl = el.children.find((c) => c.name === 'primitive' || c.name === 'group');
  if (!childEl) return undefined;
  const num = (names: string[], dflt: number): number => {
    for (const n of names) {
      const v = meta.get(n);
      if (v !== undefined) {
        const s = parseScore(v);
        if (s !== undefined) return s;
      }
    }
    return dflt;
  };
  const promotable = el.name === 'master' || (meta.get('promotable') ?? 'false').toLowerCase() === 'true';
  const askedUnique = ['true', 'yes', '1', 'on'].includes((meta.get('globally-unique') ?? 'false').toLowerCase());
  const forced = askedUnique && forcedAnonymous(childEl);
  const unique = askedUnique && !forced;
  const clone: Clone = {
    kind: 'clone',
    id: el.attrs.id ?? '',
    meta,
    order,
    priority: Number(parseScore(meta.get('priority')) ?? 0),
    promotable,
    unique,
    childId: childEl.attrs.id ?? '',
    instances: [],
    maxInstances: Math.min(Math.max(0, num(['clone-max'], ctx.nodeCount)), forced ? ctx.nodeCount : Infinity),
    maxPerNode: forced ? 1 : Math.max(0, num(['clone-node-max'], 1)),
    promotedMax: Math.max(0, num(['promoted-max', 'master-max'], 1)),
    promotedNodeMax: Math.max(0, num(['promoted-node-max', 'master-node-max'], 1)),
    interleave: ['true', 'yes', '1', 'on'].includes((meta.get('interleave') ?? 'false').toLowerCase()),
    notify: ['true', 'yes', '1', 'on'].includes((meta.get('notify') ?? 'false').toLowerCase()),
    ordered: ['true', 'yes', '1', 'on'].includes((meta.get('ordered') ?? 'false').toLowerCase()),
    cloneMin: Math.max(0, num(['clone-min'], 0)),
    baseNameInHistory: false,
    knownOn: new Map(),
  };
  const inherited = new Map(parentMeta ?? []);
  for (const [k, v] of ownMeta) inherited.set(k, v);
  for (let i = 0; i < clone.maxInstances; i++) clone.instances.push(makeInstance(childEl, inherited, clone, i, ctx));
  return clone;
}

export function makeInstance(childEl: XmlElement, inherited: Map<string, string>, clone: Clone, i: number, ctx: BuildCtx): Primitive | Group {
  const inst = buildResource(childEl, inherited, ctx, i) as Primitive | Group;
  inst.parent = clone;
  inst.order = i;
  rename(inst, i);
  return inst;
}

function rename(r: Primitive | Group, i: number): void {
  r.id = `${r.id}:${i}`;
  if (r.kind === 'primitive') r.displayName = r.id;
  else for (const c of r.children) rename(c, i);
}

/** Builds one more instance of a clone (for orphaned copies beyond clone-max). */
export function extraInstance(cib: XmlElement, clone: Clone, cfg: ClusterConfig, now: number, nodeCount: number, i: number): Primitive | Group | undefined {
  const resources = child(child(cib, 'configuration'), 'resources');
  const find = (el: XmlElement | undefined): XmlElement | undefined => {
    if (!el) return undefined;
    for (const c of el.children) {
      if ((c.name === 'clone' || c.name === 'master') && c.attrs.id === clone.id) return c;
      if (c.name === 'group') continue;
    }
    return undefined;
  };
  const cloneEl = find(resources);
  const childEl = cloneEl?.children.find((c) => c.name === 'primitive' || c.name === 'group');
  if (!cloneEl || !childEl) return undefined;
  const ownMeta = readNvSets(cloneEl, 'meta_attributes', { now }, new Map(), cfg.idRefs);
  return makeInstance(childEl, ownMeta, clone, i, { cfg, now, nodeCount, unsupported: new Set() });
}
