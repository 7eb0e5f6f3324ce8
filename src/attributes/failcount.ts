import { formatScore, getAttribute, INFINITY, nodeAttributes, parseScore, setAttribute, type AttributeStore } from './store.js';

/** Clone instances share the fail count of their base resource: `db:1` → `db`. */
export function baseResourceName(resource: string): string {
  return resource.replace(/:\d+$/, '');
}

export function failCountName(resource: string, task: string, intervalMs: number): string {
  return `fail-count-${baseResourceName(resource)}#${task}_${intervalMs}`;
}

export function lastFailureName(resource: string, task: string, intervalMs: number): string {
  return `last-failure-${baseResourceName(resource)}#${task}_${intervalMs}`;
}

/** The promotion score attribute crm_master / crm_attribute --promotion write. */
export function promotionScoreName(resource: string): string {
  return `master-${baseResourceName(resource)}`;
}

export interface Failure {
  node: string;
  resource: string;
  task: string;
  intervalMs: number;
  /** Epoch seconds, as last-failure is recorded. */
  atSeconds: number;
  /** Start failures with start-failure-is-fatal count as INFINITY at once. */
  fatal?: boolean;
}

export function recordFailure(store: AttributeStore, f: Failure): AttributeStore {
  const countRef = { scope: 'transient' as const, node: f.node, name: failCountName(f.resource, f.task, f.intervalMs) };
  const current = parseScore(getAttribute(store, countRef) ?? '0');
  const next = f.fatal ? INFINITY : Math.min(INFINITY, current + 1);
  const withCount = setAttribute(store, countRef, formatScore(next));
  return setAttribute(withCount, { scope: 'transient', node: f.node, name: lastFailureName(f.resource, f.task, f.intervalMs) }, String(f.atSeconds));
}

const isFailAttr = (name: string, base: string, prefix: string): boolean =>
  name === `${prefix}-${base}` || name.startsWith(`${prefix}-${base}#`);

/** A resource's fail count on a node: the sum of its per-operation counts and the legacy single one, saturating at INFINITY. */
export function failCount(store: AttributeStore, node: string, resource: string): number {
  const base = baseResourceName(resource);
  let sum = 0;
  for (const [name, value] of nodeAttributes(store, 'transient', node)) {
    if (isFailAttr(name, base, 'fail-count')) sum = Math.min(INFINITY, sum + parseScore(value));
  }
  return sum;
}

export interface FailCountEntry {
  node: string;
  name: string;
  task: string;
  intervalMs: number;
  count: number;
  lastFailure?: number;
}

/** Per-operation fail counts of a resource on a node, for `vigil resource failcount`. */
export function failCountEntries(store: AttributeStore, node: string, resource: string): FailCountEntry[] {
  const base = baseResourceName(resource);
  const attrs = new Map(nodeAttributes(store, 'transient', node));
  const out: FailCountEntry[] = [];
  for (const [name, value] of attrs) {
    if (!isFailAttr(name, base, 'fail-count')) continue;
    const m = /#(.+)_(\d+)$/.exec(name);
    const last = attrs.get(name.replace(/^fail-count-/, 'last-failure-'));
    out.push({ node, name, task: m ? m[1] : '', intervalMs: m ? Number(m[2]) : 0, count: parseScore(value), lastFailure: last !== undefined ? Number(last) : undefined });
  }
  return out;
}

/** Clears fail counts (and last-failure) of a resource on a node: all, or one operation's. */
export function clearFailCount(store: AttributeStore, node: string, resource: string, op?: { task: string; intervalMs: number }): AttributeStore {
  const base = baseResourceName(resource);
  let out = store;
  for (const [name] of nodeAttributes(store, 'transient', node)) {
    const matches = op
      ? name === failCountName(base, op.task, op.intervalMs) || name === lastFailureName(base, op.task, op.intervalMs)
      : isFailAttr(name, base, 'fail-count') || isFailAttr(name, base, 'last-failure');
    if (matches) out = setAttribute(out, { scope: 'transient', node, name }, undefined);
  }
  return out;
}
