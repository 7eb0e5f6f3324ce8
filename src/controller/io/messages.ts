import type { ActionResource, ResourceAction } from '../../scheduler/graph.js';
import type { OperationOutcome } from '../controller.js';

/**
 * What controllers on different nodes tell each other: the DC sends operations to run, nodes
 * send back results. JSON over the authenticated stream; every field is checked on arrival.
 */
export type ControllerMessage =
  /** `origin` is the sending DC's uuid: with the transition and action ids it names the graph action. */
  | { t: 'op'; transition: number; origin: string; action: ResourceAction }
  /**
   * `about` describes the operation, so that a DC that did not send it (the sender died, or the
   * action was given up) can still record what happened.
   */
  | { t: 'op-result'; transition: number; action: number; outcome: OperationOutcome; origin?: string; about?: ResourceAction }
  /** Told to a new DC: an operation an earlier DC asked for is still running here. */
  | { t: 'op-pending'; transition: number; origin: string; about: ResourceAction }
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

function isAction(a: unknown): a is ResourceAction {
  return isObj(a) && a.kind === 'resource' && isInt(a.id) && typeof a.key === 'string' && typeof a.task === 'string' && typeof a.node === 'string' && isInt(a.intervalMs) && isInt(a.timeoutMs) && isResource(a.resource);
}

export function parseControllerMessage(value: unknown): ControllerMessage | null {
  if (!isObj(value)) return null;
  switch (value.t) {
    case 'op':
      return isInt(value.transition) && typeof value.origin === 'string' && isAction(value.action) ? { t: 'op', transition: value.transition, origin: value.origin, action: value.action } : null;
    case 'op-result': {
      if (!isInt(value.transition) || !isInt(value.action) || !isOutcome(value.outcome)) return null;
      if ((value.origin !== undefined && typeof value.origin !== 'string') || (value.about !== undefined && !isAction(value.about))) return null;
      const described = typeof value.origin === 'string' && isAction(value.about) ? { origin: value.origin, about: value.about } : {};
      return { t: 'op-result', transition: value.transition, action: value.action, outcome: value.outcome, ...described };
    }
    case 'op-pending':
      return isInt(value.transition) && typeof value.origin === 'string' && isAction(value.about) ? { t: 'op-pending', transition: value.transition, origin: value.origin, about: value.about } : null;
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

/**
 * A controller message as it travels: the message's own fields plus `inc`, the incarnation of the
 * daemon that sent it, so that the receiver can tell a frame of a peer's previous life (a killed
 * daemon's kernel still retransmits what it had buffered) from one of its current life. Daemons
 * before the field send none, and ignore it when they receive it: `inc` is null then.
 */
export interface ControllerFrame {
  msg: ControllerMessage;
  inc: number | null;
}

export function encodeControllerFrame(msg: ControllerMessage, inc: number): Buffer {
  return Buffer.from(JSON.stringify({ ...msg, inc }));
}

export function parseControllerFrame(value: unknown): ControllerFrame | null {
  const msg = parseControllerMessage(value);
  if (msg === null) return null;
  const inc = (value as Record<string, unknown>).inc;
  if (inc === undefined) return { msg, inc: null };
  return isInt(inc) && inc >= 0 ? { msg, inc } : null;
}
