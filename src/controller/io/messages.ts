import type { ActionResource, ResourceAction } from '../../scheduler/graph.js';
import type { OperationOutcome } from '../controller.js';

/**
 * What controllers on different nodes tell each other: the DC sends operations to run, nodes
 * send back results. JSON over the authenticated stream; every field is checked on arrival.
 */
export type ControllerMessage =
  | { t: 'op'; transition: number; action: ResourceAction }
  | { t: 'op-result'; transition: number; action: number; outcome: OperationOutcome }
  | { t: 'monitor-result'; resource: ActionResource; intervalMs: number; outcome: OperationOutcome }
  | { t: 'shutdown'; transition: number; action: number }
  | { t: 'shutdown-ack'; transition: number; action: number };

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
    default:
      return null;
  }
}
