import { childrenNamed, firstChild, type XmlElement } from '../cib/xml.js';
import { type ConfigModel } from './config.js';
import { type MNode } from './model.js';

/** What the history replay shares: the working context, executor and agent result codes, and operation records. */

/** Executor result codes of an operation (`op-status`). */
export const EXEC = {
  pending: -1,
  done: 0,
  cancelled: 1,
  timeout: 2,
  notSupported: 3,
  error: 4,
  errorHard: 5,
  errorFatal: 6,
  notInstalled: 7,
  notConnected: 8,
  invalid: 9,
  noFenceDevice: 10,
  noSecrets: 11,
} as const;

export const OCF = {
  ok: 0,
  error: 1,
  invalidParam: 2,
  unimplemented: 3,
  insufficientPriv: 4,
  notInstalled: 5,
  notConfigured: 6,
  notRunning: 7,
  runningPromoted: 8,
  failedPromoted: 9,
  degradedPromoted: 191,
} as const;

export interface RecordedFailure {
  readonly op: XmlElement;
  readonly node: string;
  readonly rscHistoryId: string;
}

export interface Ctx {
  readonly model: ConfigModel;
  readonly failures: RecordedFailure[];
  readonly nowSec?: number;
  readonly nodeByName: Map<string, MNode>;
  readonly nodeById: Map<string, MNode>;
  readonly status?: XmlElement;
  readonly haveFencingDevice: boolean;
}

export function nodeAttr(node: MNode, name: string): string | undefined {
  return node.attrs.get(name);
}

export interface OpInfo {
  readonly el: XmlElement;
  readonly task: string;
  readonly key: string;
  readonly callId: number;
  readonly rc: number;
  readonly status: number;
  readonly intervalMs: number;
  readonly targetRc: number;
  readonly lastRcChange: number;
}

export function int(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? dflt : n;
}

export function targetRcOf(el: XmlElement): number {
  const key = el.attrs['transition-key'];
  if (key === undefined) return -1;
  const parts = key.split(':');
  return parts.length >= 4 ? int(parts[2], -1) : -1;
}

export function opInfo(el: XmlElement): OpInfo | undefined {
  const task = el.attrs.operation;
  if (task === undefined) return undefined;
  return {
    el,
    task,
    key: el.attrs.operation_key ?? el.attrs.id ?? '',
    callId: int(el.attrs['call-id'], -1),
    rc: int(el.attrs['rc-code'], 0),
    status: int(el.attrs['op-status'], EXEC.pending - 1),
    intervalMs: int(el.attrs.interval, 0),
    targetRc: targetRcOf(el),
    lastRcChange: int(el.attrs['last-rc-change'], -1),
  };
}

/** Transition number and UUID from `transition-magic` (`STATUS:RC;ACTION:TRANSITION:TARGET:UUID`). */
export function transitionOf(op: OpInfo): { id: number; uuid: string } | undefined {
  const magic = op.el.attrs['transition-magic'];
  const key = magic?.split(';')[1];
  const parts = key?.split(':');
  if (!parts || parts.length < 4) return undefined;
  return { id: int(parts[1], -1), uuid: parts.slice(3).join(':') };
}

/**
 * Pacemaker's history order: by call id; equal call ids by last-rc-change;
 * a pending op (call id -1) against a completed one by transition number.
 */
export function compareOps(a: OpInfo, b: OpInfo): number {
  if (a.callId === -1 && b.callId === -1) return 0;
  if (a.callId >= 0 && a.callId < b.callId) return -1;
  if (b.callId >= 0 && a.callId > b.callId) return 1;
  if (b.callId >= 0 && a.callId === b.callId) {
    if (a.lastRcChange >= 0 && a.lastRcChange < b.lastRcChange) return -1;
    if (b.lastRcChange >= 0 && a.lastRcChange > b.lastRcChange) return 1;
    return 0;
  }
  const ta = transitionOf(a);
  const tb = transitionOf(b);
  if (!ta || !tb) return 0;
  if (ta.uuid !== tb.uuid || ta.id === tb.id) {
    if (b.callId === -1) return -1;
    if (a.callId === -1) return 1;
    return 0;
  }
  if ((ta.id >= 0 && ta.id < tb.id) || tb.id === -1) return -1;
  if ((tb.id >= 0 && ta.id > tb.id) || ta.id === -1) return 1;
  return 0;
}

export function isProbe(op: OpInfo): boolean {
  return op.task === 'monitor' && op.intervalMs === 0;
}

export function maskableProbeFailure(op: OpInfo): boolean {
  return isProbe(op) && (op.rc === OCF.notInstalled || op.rc === OCF.invalidParam || op.status === EXEC.notInstalled);
}

/** History entries for `rscId` on the node called `nodeName`. */
export function opsOn(rscId: string, nodeName: string, ctx: Ctx): OpInfo[] {
  const status = ctx.status;
  if (!status) return [];
  for (const state of childrenNamed(status, 'node_state')) {
    if (state.attrs.uname !== nodeName) continue;
    const lrm = firstChild(state, 'lrm');
    const list = lrm ? firstChild(lrm, 'lrm_resources') : undefined;
    if (!list) return [];
    const entry = childrenNamed(list, 'lrm_resource').find((e) => e.attrs.id === rscId);
    if (!entry) return [];
    return childrenNamed(entry, 'lrm_rsc_op')
      .map(opInfo)
      .filter((o): o is OpInfo => o !== undefined);
  }
  return [];
}
