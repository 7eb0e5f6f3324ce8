import type { AttributeScope } from '../attributes/store.js';

/**
 * The attribute operations of vigild's local API (attrd's, for the helper commands agents call
 * and for `vigil node attribute`):
 *
 *   {"op":"attr.update","name":"master-db","value":"10","node":"n1","lifetime":"forever"}
 *   {"op":"attr.update","name":"pingd","value":"100","dampenMs":5000}       transient, dampened
 *   {"op":"attr.update","name":"n","value":"n++"}                           attrd's increments
 *   {"op":"attr.update","name":"x","value":null}                           delete (or "delete":true)
 *   {"op":"attr.update","updates":[{...}, {...}]}                            one commit for all
 *   {"op":"attr.query","name":"master-db","node":"n1"}  (no node: every node that has it)
 *   {"op":"attr.list","node":"n1"}                      (no node: every node)
 *
 * `node` defaults to the daemon's own node; `lifetime` to reboot, as attrd_updater's.
 * `scope` may name utilization or cluster (crm_config) in place of a lifetime.
 */
export interface AttrUpdate {
  name: string;
  node?: string;
  scope: AttributeScope;
  /** null: delete (JSON has no undefined). */
  value: string | null;
  dampenMs?: number;
}

export type AttrRequest =
  | { op: 'attr.update'; updates: AttrUpdate[] }
  | { op: 'attr.query'; name: string; node?: string; scope: AttributeScope }
  | { op: 'attr.list'; node?: string };

export const ATTR_OPS = ['attr.update', 'attr.query', 'attr.list'];

export class AttrRequestError extends Error {
  override name = 'AttrRequestError';
}

const SCOPES: AttributeScope[] = ['transient', 'permanent', 'utilization', 'cluster'];

function str(r: Record<string, unknown>, key: string, what: string): string | undefined {
  const v = r[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new AttrRequestError(`${what}: '${key}' must be a non-empty string`);
  return v;
}

function scopeOf(r: Record<string, unknown>, what: string): AttributeScope {
  const lifetime = str(r, 'lifetime', what);
  const scope = str(r, 'scope', what);
  if (lifetime !== undefined && scope !== undefined) throw new AttrRequestError(`${what}: give 'lifetime' or 'scope', not both`);
  if (scope !== undefined) {
    if (!SCOPES.includes(scope as AttributeScope)) throw new AttrRequestError(`${what}: 'scope' must be one of ${SCOPES.join(', ')}, not '${scope}'`);
    return scope as AttributeScope;
  }
  if (lifetime === undefined || lifetime === 'reboot') return 'transient';
  if (lifetime === 'forever') return 'permanent';
  throw new AttrRequestError(`${what}: 'lifetime' must be reboot or forever, not '${lifetime}'`);
}

function parseUpdate(value: unknown, what: string): AttrUpdate {
  if (typeof value !== 'object' || value === null) throw new AttrRequestError(`${what} must be an object`);
  const r = value as Record<string, unknown>;
  const name = str(r, 'name', what);
  if (name === undefined) throw new AttrRequestError(`${what} needs 'name'`);
  if (r.delete !== undefined && typeof r.delete !== 'boolean') throw new AttrRequestError(`${what}: 'delete' must be true or false`);
  const v = r.value;
  const del = r.delete === true || v === null;
  if (r.delete === true && v !== undefined && v !== null) throw new AttrRequestError(`${what}: give 'value' or 'delete', not both`);
  if (!del && typeof v !== 'string') throw new AttrRequestError(`${what} needs 'value' (a string, or null to delete)`);
  const d = r.dampenMs ?? 0;
  if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new AttrRequestError(`${what}: 'dampenMs' must be a whole number of milliseconds`);
  return { name, node: str(r, 'node', what), scope: scopeOf(r, what), value: del ? null : (v as string), dampenMs: d };
}

/** The attribute request in `r`, or undefined when `r.op` is not an attribute operation. */
export function parseAttrRequest(r: Record<string, unknown>): AttrRequest | undefined {
  switch (r.op) {
    case 'attr.update': {
      if (r.updates === undefined) return { op: 'attr.update', updates: [parseUpdate(r, 'attr.update')] };
      if (!Array.isArray(r.updates) || r.updates.length === 0) throw new AttrRequestError("attr.update: 'updates' must be a non-empty array");
      return { op: 'attr.update', updates: r.updates.map((u, i) => parseUpdate(u, `attr.update updates[${i}]`)) };
    }
    case 'attr.query': {
      const name = str(r, 'name', 'attr.query');
      if (name === undefined) throw new AttrRequestError("attr.query needs 'name'");
      return { op: 'attr.query', name, node: str(r, 'node', 'attr.query'), scope: scopeOf(r, 'attr.query') };
    }
    case 'attr.list':
      return { op: 'attr.list', node: str(r, 'node', 'attr.list') };
    default:
      return undefined;
  }
}
