import type { XmlElement } from '../../cib/xml.js';
import type { Node, Resource } from '../model.js';
import { evaluateRule, normaliseRole } from '../rules.js';
import { INFINITY, addScores, parseScore } from '../score.js';
import { child, children, readNvSets } from '../unpack/config.js';
import { BUNDLE_META } from '../bundles/expand.js';

export interface Location {
  id: string;
  rsc: Resource;
  role?: string;
  /** Score per node index; nodes not listed are unaffected. */
  scores: Map<number, number>;
  discovery: 'always' | 'never' | 'exclusive';
}

export interface Colocation {
  id: string;
  dependent: Resource;
  primary: Resource;
  score: number;
  dependentRole?: string;
  primaryRole?: string;
  influence: boolean;
  nodeAttribute: string;
  /**
   * The primary is a bundle of several replicas: `primary` is its first container, and the
   * dependent may go wherever any of these containers goes, as with a clone's instances.
   */
  replicas?: Resource[];
}

export type OrderKind = 'Mandatory' | 'Optional' | 'Serialize';

/**
 * What an order's then side waits for: every first action; enough instances of the first clone
 * (its clone-min, else one when require-all=false), through `clone-one-or-more:ORDER`; or any
 * one first action, through the pseudo action `one-or-more:SET` that a set with
 * require-all=false shares among all the orders it starts.
 */
export type OrderWaits = { kind: 'all' } | { kind: 'instances' } | { kind: 'any'; pseudo: string };

export interface Ordering {
  id: string;
  first: Resource;
  firstAction: string;
  then: Resource;
  thenAction: string;
  kind: OrderKind;
  symmetrical: boolean;
  waits: OrderWaits;
}

export interface Ticket {
  id: string;
  ticket: string;
  rsc: Resource;
  role?: string;
  lossPolicy: string;
}

export interface Constraints {
  locations: Location[];
  colocations: Colocation[];
  orderings: Ordering[];
  tickets: Ticket[];
}

export interface ConstraintInput {
  cib: XmlElement;
  resources: Map<string, Resource>;
  nodes: Node[];
  now: number;
  tags: Map<string, string[]>;
  unsupported: Set<string>;
  warnings: string[];
}

function lookup(input: ConstraintInput, id: string | undefined): Resource[] {
  if (id === undefined) return [];
  const r = input.resources.get(id);
  if (r) return [r];
  const tagged = input.tags.get(id);
  if (tagged) return tagged.flatMap((t) => lookup(input, t));
  return [];
}

export function readTags(cib: XmlElement): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const t of children(child(child(cib, 'configuration'), 'tags'), 'tag')) {
    tags.set(t.attrs.id ?? '', children(t, 'obj_ref').map((o) => o.attrs.id ?? ''));
  }
  return tags;
}

/** The containers a bundle's id stands for, when the id names a bundle of several replicas. */
function bundleContainers(id: string | undefined, found: Resource[]): Resource[] | undefined {
  if (id === undefined || found.length < 2) return undefined;
  return found.every((r) => r.meta.get(BUNDLE_META) === id) ? found : undefined;
}

function roleAttr(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const r = normaliseRole(v);
  return r === 'Started' ? undefined : r;
}

export function readConstraints(input: ConstraintInput): Constraints {
  const out: Constraints = { locations: [], colocations: [], orderings: [], tickets: [] };
  const section = child(child(input.cib, 'configuration'), 'constraints');
  for (const c of section?.children ?? []) {
    switch (c.name) {
      case 'rsc_location':
        readLocation(c, input, out);
        break;
      case 'rsc_colocation':
        readColocation(c, input, out);
        break;
      case 'rsc_order':
        readOrder(c, input, out);
        break;
      case 'rsc_ticket':
        readTicket(c, input, out);
        break;
      default:
        break;
    }
  }
  return out;
}

function readLocation(c: XmlElement, input: ConstraintInput, out: Constraints): void {
  const discovery = (c.attrs['resource-discovery'] ?? 'always') as Location['discovery'];
  const targets: { rsc: Resource; matches?: string[] }[] = [];
  if (c.attrs.rsc !== undefined) for (const r of lookup(input, c.attrs.rsc)) targets.push({ rsc: r });
  else if (c.attrs['rsc-pattern'] !== undefined) {
    // A leading '!' selects the resources the pattern does not match.
    const pattern = c.attrs['rsc-pattern'];
    const invert = pattern.startsWith('!');
    let re: RegExp;
    try {
      re = new RegExp(invert ? pattern.slice(1) : pattern);
    } catch {
      input.warnings.push(`location ${c.attrs.id}: invalid rsc-pattern`);
      return;
    }
    for (const [id, r] of input.resources) {
      if (r.parent) continue;
      const m = re.exec(id);
      if (invert ? !m : m) targets.push({ rsc: r, matches: m ? [...m] : undefined });
    }
  }
  const sets = children(c, 'resource_set');
  for (const s of sets) for (const ref of children(s, 'resource_ref')) for (const r of lookup(input, ref.attrs.id)) targets.push({ rsc: r });
  for (const { rsc, matches } of targets) {
    const scores = new Map<number, number>();
    if (c.attrs.node !== undefined) {
      const node = input.nodes.find((n) => n.uname === c.attrs.node);
      const score = parseScore(c.attrs.score);
      if (node && score !== undefined) scores.set(node.index, score);
    } else {
      for (const rule of children(c, 'rule')) {
        for (const node of input.nodes) {
          // value-source=param/meta compares with the constrained resource's own parameter or meta-attribute.
          const ok = evaluateRule(rule, { now: input.now, nodeAttr: (n) => node.attrs.get(n), matches, param: (n) => paramsOn(input, rsc, node).get(n), meta: (n) => rsc.meta.get(n) });
          if (!ok) continue;
          let score: number | undefined;
          if (rule.attrs['score-attribute'] !== undefined) {
            score = parseScore(node.attrs.get(rule.attrs['score-attribute']));
            if (score === undefined) continue;
          } else score = parseScore(rule.attrs.score) ?? 0;
          scores.set(node.index, addScores(scores.get(node.index) ?? 0, score));
        }
      }
    }
    out.locations.push({ id: c.attrs.id ?? '', rsc, role: roleAttr(c.attrs.role ?? children(c, 'rule')[0]?.attrs.role), scores, discovery });
  }
}

const paramCache = new WeakMap<Resource, Map<Node, Map<string, string>>>();

/** A primitive's parameters as they resolve on one node (their sets may have rules of their own). */
function paramsOn(input: ConstraintInput, rsc: Resource, node: Node): Map<string, string> {
  if (rsc.kind !== 'primitive') return new Map();
  let byNode = paramCache.get(rsc);
  if (!byNode) paramCache.set(rsc, (byNode = new Map()));
  let params = byNode.get(node);
  if (params) return params;
  const el = findResourceElement(child(child(input.cib, 'configuration'), 'resources'), rsc.configId);
  const ctx = { now: input.now, nodeAttr: (n: string) => node.attrs.get(n) };
  params = el ? readNvSets(el, 'instance_attributes', ctx) : new Map(rsc.params);
  const template = el?.attrs.template !== undefined ? children(child(child(input.cib, 'configuration'), 'resources'), 'template').find((t) => t.attrs.id === el.attrs.template) : undefined;
  if (template) readNvSets(template, 'instance_attributes', ctx, params);
  byNode.set(node, params);
  return params;
}

function findResourceElement(el: XmlElement | undefined, id: string): XmlElement | undefined {
  for (const c of el?.children ?? []) {
    if (c.name === 'primitive' && c.attrs.id === id) return c;
    if (c.name === 'group' || c.name === 'clone' || c.name === 'master') {
      const found = findResourceElement(c, id);
      if (found) return found;
    }
  }
  return undefined;
}

function scoreOf(c: XmlElement): number {
  return parseScore(c.attrs.score ?? c.attrs['score-attribute']) ?? 0;
}

function readColocation(c: XmlElement, input: ConstraintInput, out: Constraints): void {
  const score = scoreOf(c);
  const influenceAttr = c.attrs.influence;
  const nodeAttribute = c.attrs['node-attribute'] ?? '#uname';
  const sets = children(c, 'resource_set');
  const add = (dep: Resource, prim: Resource, s: number, depRole?: string, primRole?: string, replicas?: Resource[]): void => {
    if (dep === prim) return;
    const critical = (dep.meta.get('critical') ?? 'true').toLowerCase() !== 'false';
    const influence = influenceAttr !== undefined ? influenceAttr.toLowerCase() !== 'false' : critical;
    out.colocations.push({ id: c.attrs.id ?? '', dependent: dep, primary: prim, score: s, dependentRole: depRole, primaryRole: primRole, influence, nodeAttribute, replicas });
  };
  const named = (id: string | undefined): boolean => id !== undefined && isTagOrTemplate(input, id);
  if (sets.length === 0) {
    // A bundle's id stands for its containers: as the primary, any of them; as the dependent, each.
    const deps = lookup(input, c.attrs.rsc);
    const prims = lookup(input, c.attrs['with-rsc']);
    const replicas = bundleContainers(c.attrs['with-rsc'], prims);
    const bundled = replicas !== undefined || bundleContainers(c.attrs.rsc, deps) !== undefined;
    if (bundled || (!named(c.attrs.rsc) && !named(c.attrs['with-rsc']))) {
      for (const dep of deps) {
        if (replicas) add(dep, replicas[0], score, roleAttr(c.attrs['rsc-role']), roleAttr(c.attrs['with-rsc-role']), replicas);
        else for (const prim of prims) add(dep, prim, score, roleAttr(c.attrs['rsc-role']), roleAttr(c.attrs['with-rsc-role']));
      }
      return;
    }
  }
  // A tag or template on either side makes both sides sequential sets, the dependent's first.
  const setMembers: ColocationSet[] =
    sets.length > 0
      ? sets.map((s) => ({ members: children(s, 'resource_ref').flatMap((r) => lookup(input, r.attrs.id)), role: roleAttr(s.attrs.role), score: parseScore(s.attrs.score) ?? score, sequential: (s.attrs.sequential ?? 'true').toLowerCase() !== 'false', listed: s.attrs.ordering === 'listed' }))
      : [
          { members: lookup(input, c.attrs.rsc), role: roleAttr(c.attrs['rsc-role']), score, sequential: true, listed: false },
          { members: lookup(input, c.attrs['with-rsc']), role: roleAttr(c.attrs['with-rsc-role']), score, sequential: true, listed: false },
        ];
  for (const { members, role, score: sc, sequential, listed } of setMembers) {
    if (sequential) {
      // Kept apart, each member must shun every earlier one: a chain would let every other share a node.
      if (sc < 0) for (let i = 0; i < members.length; i++) for (let j = 0; j < i; j++) add(members[i], members[j], sc, role, role);
      // ordering=listed chains the other way: each member with the next one.
      else if (listed) for (let i = 1; i < members.length; i++) add(members[i - 1], members[i], sc, role, role);
      else for (let i = 1; i < members.length; i++) add(members[i], members[i - 1], sc, role, role);
    } else if (sc <= -INFINITY) {
      for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) add(members[j], members[i], sc, role, role);
    }
  }
  // Between sets, set N depends on set N+1: a sequential set through its first member as the
  // dependent and its last as the primary, a non-sequential one through each of its members.
  for (let k = 0; k + 1 < setMembers.length; k++) {
    const a = setMembers[k];
    const b = setMembers[k + 1];
    const deps = a.sequential ? a.members.slice(0, 1) : a.members;
    const prims = b.sequential ? b.members.slice(-1) : b.members;
    for (const dep of deps) for (const prim of prims) add(dep, prim, score, a.role, b.role);
  }
}

const INVERSE_ACTION: Record<string, string> = { start: 'stop', stop: 'start', promote: 'demote', demote: 'promote' };

interface ColocationSet {
  members: Resource[];
  role?: string;
  score: number;
  sequential: boolean;
  listed: boolean;
}

/** A tag or template id (not a bundle, whose id also names its containers). */
function isTagOrTemplate(input: ConstraintInput, id: string): boolean {
  if (input.resources.has(id) || !input.tags.has(id)) return false;
  const members = lookup(input, id);
  return !(members.length > 0 && members.every((r) => r.meta.get(BUNDLE_META) === id));
}

function orderKind(c: XmlElement): OrderKind {
  const kind = c.attrs.kind;
  if (kind === 'Optional' || kind === 'Serialize' || kind === 'Mandatory') return kind;
  if (c.attrs.score !== undefined) return (parseScore(c.attrs.score) ?? 0) > 0 ? 'Mandatory' : 'Optional';
  return 'Mandatory';
}

function readOrder(c: XmlElement, input: ConstraintInput, out: Constraints): void {
  const kind = orderKind(c);
  const symmetrical = c.attrs.symmetrical !== undefined ? c.attrs.symmetrical.toLowerCase() !== 'false' : kind !== 'Serialize';
  const add = (first: Resource, fa: string, then: Resource, ta: string, sym = symmetrical, waits: OrderWaits = { kind: 'all' }): void => {
    if (first === then) return;
    out.orderings.push({ id: c.attrs.id ?? '', first, firstAction: fa, then, thenAction: ta, kind, symmetrical: sym, waits });
  };
  const sets = children(c, 'resource_set');
  if (sets.length === 0) {
    const fa = c.attrs['first-action'] ?? 'start';
    const ta = c.attrs['then-action'] ?? fa;
    const requireAll = (c.attrs['require-all'] ?? 'true').toLowerCase() !== 'false';
    for (const f of lookup(input, c.attrs.first)) {
      const waits: OrderWaits = f.kind === 'clone' && (f.cloneMin > 0 || !requireAll) ? { kind: 'instances' } : { kind: 'all' };
      for (const t of lookup(input, c.attrs.then)) add(f, fa, t, ta, symmetrical, waits);
    }
    return;
  }
  const parsed = sets.map((s) => ({
    s,
    members: children(s, 'resource_ref').flatMap((r) => lookup(input, r.attrs.id)),
    action: s.attrs.action ?? 'start',
    sequential: (s.attrs.sequential ?? 'true').toLowerCase() !== 'false',
    requireAll: (s.attrs['require-all'] ?? 'true').toLowerCase() !== 'false',
  }));
  for (const p of parsed) {
    if (!p.sequential) continue;
    for (let i = 1; i < p.members.length; i++) add(p.members[i - 1], p.action, p.members[i], p.action);
  }
  for (let k = 0; k + 1 < parsed.length; k++) {
    const a = parsed[k];
    const b = parsed[k + 1];
    const firsts = a.sequential ? a.members.slice(-1) : a.members;
    const thens = b.sequential ? b.members.slice(0, 1) : b.members;
    // A set with require-all=false lets what follows it go once any of its members could: each
    // of its members feeds the set's pseudo action, each member of the next set waits for it.
    // The pair's inverse order (stops) is relaxed the same way when the later set is.
    const relaxedInverse = symmetrical && !b.requireAll && INVERSE_ACTION[a.action] !== undefined && INVERSE_ACTION[b.action] !== undefined;
    if (a.requireAll) for (const f of firsts) for (const t of thens) add(f, a.action, t, b.action, symmetrical && b.requireAll);
    else for (const f of a.members) for (const t of b.members) add(f, a.action, t, b.action, symmetrical && b.requireAll, { kind: 'any', pseudo: `one-or-more:${a.s.attrs.id ?? ''}` });
    if (relaxedInverse) for (const f of a.members) for (const t of b.members) add(t, INVERSE_ACTION[b.action], f, INVERSE_ACTION[a.action], false, { kind: 'any', pseudo: `one-or-more:${b.s.attrs.id ?? ''}` });
  }
}

function readTicket(c: XmlElement, input: ConstraintInput, out: Constraints): void {
  const add = (r: Resource, role?: string): void => {
    out.tickets.push({ id: c.attrs.id ?? '', ticket: c.attrs.ticket ?? '', rsc: r, role, lossPolicy: c.attrs['loss-policy'] ?? 'stop' });
  };
  for (const r of lookup(input, c.attrs.rsc)) add(r, roleAttr(c.attrs['rsc-role']));
  for (const s of children(c, 'resource_set')) for (const ref of children(s, 'resource_ref')) for (const r of lookup(input, ref.attrs.id)) add(r, roleAttr(s.attrs.role));
}
