import type { ActionResource, ResourceAction } from '../../scheduler/graph.js';
import type { OperationOutcome } from '../controller.js';
import type { StatusUpdate } from '../history.js';

/**
 * What controllers on different nodes tell each other: the DC sends operations to run, nodes
 * send back results. JSON over the authenticated stream; every field is checked on arrival.
 */
export type ControllerMessage =
  | { t: 'op'; transition: number; action: ResourceAction }
  | { t: 'op-result'; transition: number; action: number; outcome: OperationOutcome }
  | { t: 'monitor-result'; resource: ActionResource; intervalMs: number; outcome: OperationOutcome }
  | { t: 'shutdown'; transition: number; action: number }
  | { t: 'shutdown-ack'; transition: number; action: number }
  /** DC → members: the status section as the DC keeps it, so a new DC starts from it. */
  | { t: 'status'; xml: string; version: number }
  /** Member → DC: got the status of that version (the DC re-sends until it hears this). */
  | { t: 'status-ack'; version: number }
  /** Controller → controller: I am up (answered once by a controller that did not know us). */
  | { t: 'hello' }
  /** Member → DC: an administrator's status edit (cleanup, refresh, clearstate ...). */
  | { t: 'status-edit'; updates: StatusUpdate[] };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function isOutcome(v: unknown): v is OperationOutcome {
  return isObj(v) && isInt(v.rc) && isInt(v.opStatus) && typeof v.exitReason === 'string' && typeof v.startedAtMs === 'number' && typeof v.durationMs === 'number';
}

function isResource(v: unknown): v is ActionResource {
  return isObj(v) && typeof v.id === 'string' && typeof v.agentClass === 'string' && typeof v.type === 'string' && isObj(v.params) && isObj(v.meta);
}

export function parseControllerMessage(value: unknown): ControllerMessage | null {
  if (!isObj(value)) return null;
  switch (value.t) {
    case 'op': {
      const a = value.action;
      if (!isInt(value.transition) || !isObj(a) || a.kind !== 'resource' || !isInt(a.id) || typeof a.task !== 'string' || typeof a.node !== 'string' || !isInt(a.intervalMs) || !isInt(a.timeoutMs) || !isResource(a.resource)) return null;
      return { t: 'op', transition: value.transition, action: a as unknown as ResourceAction };
    }
    case 'op-result':
      return isInt(value.transition) && isInt(value.action) && isOutcome(value.outcome) ? { t: 'op-result', transition: value.transition, action: value.action, outcome: value.outcome } : null;
    case 'monitor-result':
      return isResource(value.resource) && isInt(value.intervalMs) && isOutcome(value.outcome)
        ? { t: 'monitor-result', resource: value.resource, intervalMs: value.intervalMs, outcome: value.outcome }
        : null;
    case 'shutdown':
    case 'shutdown-ack':
      return isInt(value.transition) && isInt(value.action) ? { t: value.t, transition: value.transition, action: value.action } : null;
    case 'status':
      return typeof value.xml === 'string' && isInt(value.version) ? { t: 'status', xml: value.xml, version: value.version } : null;
    case 'hello':
      return { t: 'hello' };
    case 'status-ack':
      return isInt(value.version) ? { t: 'status-ack', version: value.version } : null;
    case 'status-edit':
      return Array.isArray(value.updates) && value.updates.every(isStatusUpdate) ? { t: 'status-edit', updates: value.updates as StatusUpdate[] } : null;
    default:
      return null;
  }
}

const STRING_FIELDS: Record<string, string[]> = {
  'clear-failures': ['node', 'resource'],
  'forget-resource': ['node', 'resource'],
  'forget-node-history': ['node'],
  'node-joined': ['node'],
  'node-fenced': ['node'],
  'node-attribute': ['node', 'name'],
  'clear-node-state': ['node'],
};

/** Checks edits from a client: throws naming the first bad one. */
export function parseStatusEdits(values: unknown[]): StatusUpdate[] {
  values.forEach((v, i) => {
    if (!isStatusUpdate(v)) throw new Error(`status edit ${i + 1} is not a valid edit: ${JSON.stringify(v).slice(0, 200)}`);
  });
  return values as StatusUpdate[];
}

/** Only the edits an administrator makes travel this way; operation records never do. */
function isStatusUpdate(v: unknown): boolean {
  if (!isObj(v) || typeof v.kind !== 'string') return false;
  const fields = STRING_FIELDS[v.kind];
  if (!fields || !fields.every((f) => typeof v[f] === 'string')) return false;
  return v.kind !== 'node-attribute' || v.value === null || typeof v.value === 'string';
}
