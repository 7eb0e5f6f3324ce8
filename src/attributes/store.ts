/**
 * The attribute store: node attributes (transient and permanent), utilization, cluster options,
 * and the dampened writes not yet committed. A pure value: operations take the store (and the
 * time, when it matters) and return a new one, so the daemon, the file-backed helpers and the
 * simulator share the same rules.
 */

/**
 * Where an attribute lives. `transient` is Pacemaker's lifetime=reboot (status section, gone
 * when the node restarts); `permanent` is lifetime=forever (nodes section).
 */
export type AttributeScope = 'transient' | 'permanent' | 'utilization' | 'cluster';

export type Lifetime = 'reboot' | 'forever';

export const scopeForLifetime = (lifetime: Lifetime): AttributeScope => (lifetime === 'reboot' ? 'transient' : 'permanent');

/** Cluster options are not per node: they use this key in place of a node name. */
export const CLUSTER = '';

export interface PendingWrite {
  node: string;
  name: string;
  /** `undefined` is a dampened delete. */
  value: string | undefined;
  dueMs: number;
}

export interface AttributeStore {
  readonly values: Readonly<Record<AttributeScope, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
  /** Dampened transient writes: attrd commits them when the delay since the first change ends. */
  readonly pending: readonly PendingWrite[];
}

export class AttributeError extends Error {
  override name = 'AttributeError';
}

export function emptyStore(): AttributeStore {
  return { values: { transient: {}, permanent: {}, utilization: {}, cluster: {} }, pending: [] };
}

export interface AttributeRef {
  scope: AttributeScope;
  node: string;
  name: string;
}

export function getAttribute(store: AttributeStore, ref: AttributeRef): string | undefined {
  return store.values[ref.scope][ref.scope === 'cluster' ? CLUSTER : ref.node]?.[ref.name];
}

/** All attributes of a node in a scope, sorted by name. */
export function nodeAttributes(store: AttributeStore, scope: AttributeScope, node: string): [string, string][] {
  return Object.entries(store.values[scope][node] ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function nodesWith(store: AttributeStore, scope: AttributeScope): string[] {
  return Object.keys(store.values[scope]).sort();
}

const NAME = /^[A-Za-z0-9_.:#+-][A-Za-z0-9_.:#+@/-]*$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new AttributeError(`invalid attribute name '${name}'`);
}

/** Scores that saturate: fail counts stop at INFINITY, as Pacemaker's score arithmetic does. */
export const INFINITY = 1_000_000;

export function parseScore(text: string): number {
  const t = text.trim();
  if (/^\+?INFINITY$/i.test(t)) return INFINITY;
  if (/^-INFINITY$/i.test(t)) return -INFINITY;
  if (!/^[+-]?\d+$/.test(t)) throw new AttributeError(`'${text}' is not a score (an integer or [-]INFINITY)`);
  return Math.max(-INFINITY, Math.min(INFINITY, Number(t)));
}

export function formatScore(n: number): string {
  if (n >= INFINITY) return 'INFINITY';
  if (n <= -INFINITY) return '-INFINITY';
  return String(n);
}

/**
 * attrd's value expansion: `NAME++` adds one and `NAME+=N` adds N to the current value (missing
 * counts as 0), so concurrent increments of a counter need no read-modify-write in the caller.
 */
export function expandValue(name: string, value: string, current: string | undefined): string {
  if (value === `${name}++`) return formatScore(parseScore(current ?? '0') + 1);
  if (value.startsWith(`${name}+=`)) {
    return formatScore(parseScore(current ?? '0') + parseScore(value.slice(name.length + 2)));
  }
  return value;
}

function withValue(store: AttributeStore, ref: AttributeRef, value: string | undefined): AttributeStore {
  const node = ref.scope === 'cluster' ? CLUSTER : ref.node;
  const scopeValues = { ...store.values[ref.scope] };
  const nodeValues = { ...(scopeValues[node] ?? {}) };
  if (value === undefined) delete nodeValues[ref.name];
  else nodeValues[ref.name] = value;
  if (Object.keys(nodeValues).length === 0) delete scopeValues[node];
  else scopeValues[node] = nodeValues;
  return { ...store, values: { ...store.values, [ref.scope]: scopeValues } };
}

export interface SetOptions {
  /** Dampening (attrd_updater -d): transient writes wait this long, coalescing changes. */
  dampenMs?: number;
  nowMs?: number;
}

/** Sets (or, with `undefined`, deletes) an attribute. Only transient writes can be dampened. */
export function setAttribute(store: AttributeStore, ref: AttributeRef, value: string | undefined, opts: SetOptions = {}): AttributeStore {
  checkName(ref.name);
  if (ref.scope !== 'cluster' && !ref.node) throw new AttributeError(`attribute '${ref.name}' needs a node`);
  const current = getPendingOrCurrent(store, ref);
  const expanded = value === undefined ? undefined : expandValue(ref.name, value, current);
  const dampen = opts.dampenMs ?? 0;
  if (dampen > 0) {
    if (ref.scope !== 'transient') throw new AttributeError('only transient (lifetime reboot) attributes can be dampened');
    if (opts.nowMs === undefined) throw new AttributeError('a dampened write needs the current time');
    const existing = store.pending.find((p) => p.node === ref.node && p.name === ref.name);
    // The delay runs from the first change: later writes in the window replace the value only.
    const dueMs = existing ? existing.dueMs : opts.nowMs + dampen;
    const pending = store.pending.filter((p) => p !== existing);
    if (expanded === getAttribute(store, ref) && !existing) return store;
    return { ...store, pending: [...pending, { node: ref.node, name: ref.name, value: expanded, dueMs }] };
  }
  const cleared = ref.scope === 'transient' ? { ...store, pending: store.pending.filter((p) => !(p.node === ref.node && p.name === ref.name)) } : store;
  return withValue(cleared, ref, expanded);
}

function getPendingOrCurrent(store: AttributeStore, ref: AttributeRef): string | undefined {
  if (ref.scope === 'transient') {
    const p = store.pending.find((w) => w.node === ref.node && w.name === ref.name);
    if (p) return p.value;
  }
  return getAttribute(store, ref);
}

/** Commits the dampened writes whose delay has ended; `Infinity` commits them all. */
export function flushPending(store: AttributeStore, nowMs: number): AttributeStore {
  let out: AttributeStore = { ...store, pending: store.pending.filter((p) => p.dueMs > nowMs) };
  for (const p of store.pending) {
    if (p.dueMs <= nowMs) out = withValue(out, { scope: 'transient', node: p.node, name: p.name }, p.value);
  }
  return out;
}

/** When the I/O shell must next call flushPending; undefined when nothing waits. */
export function nextDue(store: AttributeStore): number | undefined {
  return store.pending.length ? Math.min(...store.pending.map((p) => p.dueMs)) : undefined;
}

/** A node (re)joined after a restart: its transient attributes did not survive. */
export function clearTransient(store: AttributeStore, node: string): AttributeStore {
  const transient = { ...store.values.transient };
  delete transient[node];
  return { values: { ...store.values, transient }, pending: store.pending.filter((p) => p.node !== node) };
}
