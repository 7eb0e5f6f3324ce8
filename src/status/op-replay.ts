import { intervalMs } from './attrs.js';
import { RoleRank, moreSevere, topParent, type MNode, type MResource, type OnFail } from './model.js';
import { migrateFromFailed, migrateToFailed, migrateToSucceeded } from './migration.js';
import { canFence } from './node-state.js';
import { setActive } from './running.js';
import { type Ctx, EXEC, OCF, type OpInfo, isProbe, maskableProbeFailure } from './unpack-context.js';

/** Replaying one resource's operation history on one node: role, failures, expiry. */

export interface OpState {
  lastFailure?: OpInfo;
  onFail: OnFail;
}

export function onFailFor(rsc: MResource, op: OpInfo, ctx: Ctx): OnFail {
  const s = ctx.model.settings;
  const def = rsc.ops.find((o) => o.name === op.task && o.intervalMs === op.intervalMs);
  const value = (def?.onFail ?? ctx.model.opDefaults.get('on-fail'))?.toLowerCase();
  const isRemoteConn = rsc.isRemoteConnectionFor !== undefined && rsc.container === undefined;
  if (value === undefined && rsc.container && rsc.parent?.kind !== 'clone') return 'restart-container';
  switch (value) {
    case 'ignore':
    case 'nothing':
      return 'ignore';
    case 'block':
      return 'block';
    case 'stop':
      return 'stop';
    case 'standby':
      return 'standby';
    case 'migrate':
      return 'migrate';
    case 'demote':
      return 'demote';
    case 'fence':
      return s.stonithEnabled ? 'fence' : 'stop';
    case 'restart-container':
      return rsc.container ? 'restart-container' : 'recover';
    case 'restart':
      return 'recover';
    default:
      break;
  }
  if (isRemoteConn && !isProbe(op) && op.task !== 'start') return rsc.managed ? 'reset-remote' : 'stop';
  if (op.task === 'stop') return s.stonithEnabled ? 'fence' : 'block';
  return 'recover';
}

/** Failures are reported only from nodes that are up, once per operation key and node. */
export function recordFailure(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
  if (!node.online) return;
  // Keyed by operation_key as recorded: entries from old CIBs that lack one all share the same (absent) key.
  const already = ctx.failures.some((f) => f.node === node.name && f.op.attrs.operation_key === op.el.attrs.operation_key);
  if (!already) ctx.failures.push({ op: op.el, node: node.name, rscHistoryId: rsc.cloneName ?? rsc.id });
}

export function failureTimeoutMs(rsc: MResource): number {
  return intervalMs(rsc.meta.get('failure-timeout')) ?? 0;
}

/** Sum of a resource's fail-count attributes on a node for one operation (legacy per-resource counts included). */
export function failCount(rsc: MResource, node: MNode, op: OpInfo, effective: boolean, ctx: Ctx): number {
  const name = topParent(rsc).kind === 'clone' && !rsc.unique ? rsc.xmlId : rsc.id;
  const suffix = `#${op.task}_${op.intervalMs}`;
  let count = 0;
  let last = 0;
  for (const [k, v] of node.attrs) {
    if (k === `fail-count-${name}` || k === `fail-count-${name}${suffix}`) {
      count = Math.min(1_000_000, count + (/^[+]?infinity$/i.test(v) ? 1_000_000 : Number.parseInt(v, 10) || 0));
    } else if (k === `last-failure-${name}` || k === `last-failure-${name}${suffix}`) {
      last = Math.max(last, Number.parseInt(v, 10) || 0);
    }
  }
  // failure-timeout conflicts with on-fail=block on this very operation; blocking wins, so its count never expires.
  const blocks = rsc.ops.some((o) => o.onFail?.toLowerCase() === 'block' && o.name === op.task && o.intervalMs === op.intervalMs);
  const timeoutSec = blocks ? 0 : Math.floor(failureTimeoutMs(rsc) / 1000);
  if (effective && count > 0 && last > 0 && timeoutSec > 0 && ctx.nowSec !== undefined && ctx.nowSec > last + timeoutSec) return 0;
  return count;
}

export const PROBE_STATES: readonly number[] = [OCF.ok, OCF.notRunning, OCF.runningPromoted, 190, OCF.degradedPromoted];

/**
 * Whether an operation's result is older than the resource's failure-timeout
 * and no unexpired fail count keeps it alive.
 */
export function isExpired(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): boolean {
  if (ctx.nowSec === undefined) return false;
  const timeoutSec = Math.floor(failureTimeoutMs(rsc) / 1000);
  if (timeoutSec <= 0 || op.lastRcChange < 0) return false;
  let expired = ctx.nowSec >= op.lastRcChange + timeoutSec;
  if (expired && failCount(rsc, node, op, false, ctx) > 0 && failCount(rsc, node, op, true, ctx) > 0) expired = false;
  // Probes that found the resource in a definite state never expire.
  if (expired && isProbe(op) && PROBE_STATES.includes(op.rc)) expired = false;
  return expired;
}

export function remap(rsc: MResource, op: OpInfo, st: OpState): { rc: number; status: number } {
  let status = op.status;
  const rc = op.rc;
  if (status !== EXEC.done && status !== EXEC.error) return { rc, status };
  status = EXEC.done;
  const probe = isProbe(op);
  if (op.targetRc < 0 || op.targetRc !== rc) status = EXEC.error;
  switch (rc) {
    case OCF.ok:
      if (probe && op.targetRc === OCF.notRunning) status = EXEC.done;
      break;
    case OCF.notRunning:
      if (probe || op.targetRc === rc || !rsc.managed) {
        status = EXEC.done;
        rsc.role = RoleRank.Stopped;
        st.onFail = 'ignore';
        rsc.nextRoleStopped = false;
      }
      break;
    case OCF.runningPromoted:
      if (probe && rc !== op.targetRc) status = EXEC.done;
      rsc.role = RoleRank.Promoted;
      break;
    case OCF.degradedPromoted:
    case OCF.failedPromoted:
      rsc.role = RoleRank.Promoted;
      status = EXEC.error;
      break;
    case OCF.notConfigured:
      status = EXEC.errorFatal;
      break;
    case OCF.unimplemented:
      status = op.intervalMs === 0 ? EXEC.errorHard : EXEC.notSupported;
      break;
    case OCF.notInstalled:
    case OCF.invalidParam:
    case OCF.insufficientPriv:
      status = EXEC.errorHard;
      break;
    default:
      if (status === EXEC.done) status = EXEC.error;
      break;
  }
  return { rc, status };
}

export function unpackOp(rsc: MResource, node: MNode, op: OpInfo, st: OpState, ctx: Ctx): void {
  if (op.task === 'notify' || op.task === 'meta-data') return;
  const expired = op.status !== EXEC.notInstalled && isExpired(rsc, node, op, ctx);
  const { rc, status: remapped } = remap(rsc, op, st);
  let status = remapped;
  const maskable = maskableProbeFailure(op);

  if (expired && maskable && op.rc !== op.targetRc) {
    if (rsc.role <= RoleRank.Stopped) rsc.role = RoleRank.Unknown;
    return;
  }
  if (expired && rc !== op.targetRc && op.intervalMs === 0) return;
  if (expired && rc !== op.targetRc && node.online && !node.unclean) return;

  if (maskable) {
    rsc.role = RoleRank.Stopped;
    recordFailure(rsc, node, op, ctx);
    banFrom(rsc, [node]);
    return;
  }

  switch (status) {
    case EXEC.cancelled:
      return;
    case EXEC.pending:
      if (op.task === 'start') {
        setActive(rsc);
      } else if (op.task === 'promote') {
        rsc.role = RoleRank.Promoted;
      }
      if (rsc.pendingTask === undefined && !isProbe(op)) {
        rsc.pendingTask = op.task;
        rsc.pendingNode = node;
      }
      return;
    case EXEC.done:
      updateResourceState(rsc, node, op, rc, st, ctx);
      return;
    case EXEC.notInstalled: {
      if (onFailFor(rsc, op, ctx) === 'ignore') st.onFail = 'migrate';
      banFrom(rsc, [node]);
      opFailure(rsc, node, op, rc, st, ctx);
      return;
    }
    case EXEC.noFenceDevice:
    case EXEC.noSecrets:
      status = EXEC.errorHard;
      break;
    default:
      break;
  }

  const strategy = onFailFor(rsc, op, ctx);
  if (strategy === 'ignore' || (strategy === 'restart-container' && op.task === 'stop')) {
    updateResourceState(rsc, node, op, op.targetRc, st, ctx);
    rsc.failureIgnored = true;
    recordFailure(rsc, node, op, ctx);
    if (strategy === 'restart-container' && !moreSevere(st.onFail, 'recover')) st.onFail = strategy;
  } else {
    opFailure(rsc, node, op, rc, st, ctx);
    if (status === EXEC.errorHard) banFrom(rsc, [node]);
    else if (status === EXEC.errorFatal) banFrom(rsc, ctx.model.nodes);
  }
}

/**
 * A hard failure bans the resource (an anonymous clone as a whole) from
 * nodes. Only the set of nodes matters here: it is what an asymmetric
 * cluster lists a clone as stopped on.
 */
function banFrom(rsc: MResource, nodes: readonly MNode[]): void {
  const target = rsc.unique ? rsc : topParent(rsc);
  for (const n of nodes) target.locationNodes.add(n.name);
}

export function opFailure(rsc: MResource, node: MNode, op: OpInfo, rc: number, st: OpState, ctx: Ctx): void {
  st.lastFailure = op;
  const s = ctx.model.settings;
  if (!(!s.symmetric && rc === OCF.notInstalled)) recordFailure(rsc, node, op, ctx);
  const strategy = onFailFor(rsc, op, ctx);
  if (moreSevere(strategy, st.onFail)) st.onFail = strategy;
  const hardRc = rc === OCF.notInstalled || rc === OCF.invalidParam || rc === OCF.insufficientPriv || (rc === OCF.unimplemented && op.intervalMs === 0);
  // A stop that failed hard where fencing is impossible cannot be recovered at all.
  if (op.task === 'stop' && hardRc && !canFence(node, ctx)) {
    rsc.managed = false;
    rsc.blocked = true;
  }
  if (op.task === 'promote') {
    rsc.role = RoleRank.Promoted;
  } else if (op.task === 'demote') {
    if (strategy === 'block') {
      rsc.role = RoleRank.Promoted;
      rsc.nextRoleStopped = true;
    } else if (rc === OCF.notRunning) {
      rsc.role = RoleRank.Stopped;
    } else {
      rsc.role = RoleRank.Unpromoted;
    }
  } else if (op.task === 'migrate_to') {
    migrateToFailed(rsc, node, op, ctx);
  } else if (op.task === 'migrate_from') {
    migrateFromFailed(rsc, node, op, ctx);
  }
  if (isProbe(op) && rc === OCF.notInstalled) {
    rsc.role = RoleRank.Stopped;
  } else if (rsc.role < RoleRank.Started) {
    setActive(rsc);
  }
}

export function updateResourceState(rsc: MResource, node: MNode, op: OpInfo, rc: number, st: OpState, ctx: Ctx): void {
  let clearPast = false;
  if (rc === OCF.notInstalled || maskableProbeFailure(op)) {
    rsc.role = RoleRank.Stopped;
  } else if (rc === OCF.notRunning) {
    clearPast = true;
  } else if (op.task === 'monitor') {
    if (st.lastFailure && st.lastFailure.key === op.key) clearPast = true;
    if (rsc.role < RoleRank.Started) setActive(rsc);
  } else if (op.task === 'start') {
    rsc.role = RoleRank.Started;
    clearPast = true;
  } else if (op.task === 'stop') {
    rsc.role = RoleRank.Stopped;
    clearPast = true;
  } else if (op.task === 'promote') {
    rsc.role = RoleRank.Promoted;
    clearPast = true;
  } else if (op.task === 'demote') {
    if (st.onFail === 'demote') clearPast = true;
    rsc.role = RoleRank.Unpromoted;
  } else if (op.task === 'migrate_from') {
    rsc.role = RoleRank.Started;
    clearPast = true;
  } else if (op.task === 'migrate_to') {
    migrateToSucceeded(rsc, node, op, ctx);
  } else if (rsc.role < RoleRank.Started) {
    setActive(rsc);
  }
  if (clearPast) {
    switch (st.onFail) {
      case 'stop':
      case 'fence':
      case 'migrate':
      case 'standby':
        break;
      case 'reset-remote':
        if (rsc.meta.get('reconnect_interval') === undefined) {
          st.onFail = 'ignore';
          rsc.nextRoleStopped = false;
        }
        break;
      default:
        st.onFail = 'ignore';
        rsc.nextRoleStopped = false;
    }
  }
}
