/**
 * failure-timeout: a resource's failures stop counting once that many seconds have passed since
 * they were recorded. The fail counts expire (the node may host the resource again), and so does
 * a failed operation in the history: it teaches nothing any more, the resource counts as healthy
 * where it runs and a failed recurring monitor is simply started again. A failure whose on-fail is
 * block keeps blocking: only an administrator lifts that.
 */
import type { Node, OnFail, Primitive, Resource } from '../model.js';
import { addScores, parseIntervalMs, parseScore } from '../score.js';

interface FailEntry {
  count: number;
  lastFailure?: number;
}

const failIndex = new WeakMap<Node, Map<string, FailEntry[]>>();

/** fail-count attributes of a node grouped by resource id, built once per node. */
function failEntries(node: Node): Map<string, FailEntry[]> {
  let idx = failIndex.get(node);
  if (idx) return idx;
  idx = new Map();
  for (const [k, v] of node.attrs) {
    if (!k.startsWith('fail-count-')) continue;
    const rest = k.slice('fail-count-'.length);
    const hash = rest.indexOf('#');
    const rid = hash >= 0 ? rest.slice(0, hash) : rest;
    const lf = node.attrs.get(`last-failure-${rest}`);
    const list = idx.get(rid) ?? [];
    list.push({ count: parseScore(v) ?? 0, lastFailure: lf !== undefined ? Number(lf) : undefined });
    idx.set(rid, list);
  }
  failIndex.set(node, idx);
  return idx;
}

const anonymousFailIndex = new WeakMap<Node, Map<string, FailEntry[]>>();

/** The same entries grouped by resource id without an instance number, for anonymous clones. */
function anonymousFailEntries(node: Node): Map<string, FailEntry[]> {
  let idx = anonymousFailIndex.get(node);
  if (idx) return idx;
  idx = new Map();
  for (const [id, entries] of failEntries(node)) {
    const base = id.replace(/:\d+$/, '');
    const list = idx.get(base);
    if (list) list.push(...entries);
    else idx.set(base, [...entries]);
  }
  anonymousFailIndex.set(node, idx);
  return idx;
}

function failureTimeoutSeconds(p: Primitive): number {
  return parseIntervalMs(p.meta.get('failure-timeout')) / 1000;
}

/** The fail count of a primitive on a node at time `now`, honouring failure-timeout. */
export function failCountAt(now: number, p: Primitive, node: Node): number {
  return failCounter(now, p)(node);
}

const failingNodesIndex = new WeakMap<readonly Node[], Map<string, Node[]>>();

/** Per resource id, with and without its instance number, the nodes with a fail count for it. */
function failingNodes(nodes: readonly Node[]): Map<string, Node[]> {
  let idx = failingNodesIndex.get(nodes);
  if (idx) return idx;
  idx = new Map();
  for (const node of nodes) {
    for (const id of failEntries(node).keys()) {
      for (const key of [id, id.replace(/:\d+$/, '')]) {
        const list = idx.get(key);
        if (!list) idx.set(key, [node]);
        else if (list[list.length - 1] !== node) list.push(node);
      }
    }
  }
  failingNodesIndex.set(nodes, idx);
  return idx;
}

/**
 * The fail counts of a primitive on the nodes of a run (its complete node list) where it has any:
 * on a big cluster a resource has failed on a few nodes at most, so the others are not visited.
 */
export function failCountsOn(now: number, p: Primitive, nodes: readonly Node[]): Map<Node, number> {
  const out = new Map<Node, number>();
  const idx = failingNodes(nodes);
  const candidates = new Set([...(idx.get(p.configId) ?? []), ...(idx.get(p.id) ?? [])]);
  if (candidates.size === 0) return out;
  const count = failCounter(now, p);
  for (const node of candidates) out.set(node, count(node));
  return out;
}

/** failCountAt of one primitive for node after node: what depends on the primitive alone is read once. */
function failCounter(now: number, p: Primitive): (node: Node) => number {
  const timeout = failureTimeoutSeconds(p);
  // An anonymous instance's number means nothing: every instance's fail count on the node is its.
  let clone: Resource | undefined = p.parent;
  while (clone && clone.kind !== 'clone') clone = clone.parent;
  const anonymous = clone?.kind === 'clone' && !clone.unique;
  const ids = anonymous || p.configId === p.id ? [p.configId] : [p.configId, p.id];
  return (node) => {
    const idx = anonymous ? anonymousFailEntries(node) : failEntries(node);
    let total = 0;
    for (const id of ids) {
      for (const e of idx.get(id) ?? []) {
        if (timeout > 0 && e.lastFailure !== undefined && now - e.lastFailure >= timeout) continue;
        total = addScores(total, e.count);
      }
    }
    return total;
  };
}

/**
 * Whether a failed operation recorded at `recordedAt` has expired: the failure timeout has passed
 * since, and no unexpired fail count says the resource failed again more recently.
 */
export function failureExpired(now: number, p: Primitive, node: Node, recordedAt: number, onFail: OnFail): boolean {
  const timeout = failureTimeoutSeconds(p);
  if (timeout <= 0 || recordedAt <= 0 || onFail === 'block') return false;
  return now >= recordedAt + timeout && failCountAt(now, p, node) === 0;
}
