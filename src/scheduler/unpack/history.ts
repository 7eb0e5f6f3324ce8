import type { XmlElement } from '../../cib/xml.js';
import type { Clone, Group, Node, NodeHistory, OnFail, Primitive, Resource, Role } from '../model.js';
import { nodeCanHost, primitivesOf } from '../model.js';
import { parseIntervalMs } from '../score.js';
import { child, children } from './config.js';
import { checkRecordedDefinition, type RecordedDigests } from './digests.js';
import { anonymousInstanceFor } from '../clones/anonymous.js';
import { withoutExpiredProbes } from './expired-probes.js';
import { failureExpired } from '../features/failure-expiry.js';
import { activeRecurringOps, sinceLastStart } from './active-ops.js';

interface OpRecord extends RecordedDigests {
  id: string;
  task: string;
  callId: number;
  rc: number;
  targetRc: number;
  status: number;
  intervalMs: number;
  migrateSource?: string;
  migrateTarget?: string;
  lastRcChange: number;
}

function readOp(op: XmlElement): OpRecord {
  const key = op.attrs['transition-key'] ?? '';
  const parts = key.split(':');
  const magic = op.attrs['transition-magic'] ?? '';
  const task = op.attrs.operation ?? '';
  const intervalMs = Number(op.attrs.interval ?? 0) || parseIntervalMs(op.attrs.interval);
  let rc = Number(op.attrs['rc-code'] ?? NaN);
  let status = Number(op.attrs['op-status'] ?? NaN);
  const m = /^(-?\d+):(-?\d+);/.exec(magic);
  if (Number.isNaN(rc) && m) rc = Number(m[2]);
  if (Number.isNaN(status) && m) status = Number(m[1]);
  const probe = task === 'monitor' && intervalMs === 0;
  const targetRc = parts.length >= 3 && /^\d+$/.test(parts[2]) ? Number(parts[2]) : probe ? 7 : 0;
  return {
    id: op.attrs.id ?? '',
    task,
    callId: Number(op.attrs['call-id'] ?? 0),
    rc: Number.isNaN(rc) ? 0 : rc,
    targetRc,
    status: Number.isNaN(status) ? 0 : status,
    intervalMs,
    digest: op.attrs['op-digest'],
    secureDigest: op.attrs['op-secure-digest'],
    secureParams: op.attrs['op-secure-params'],
    restartDigest: op.attrs['op-restart-digest'],
    forceRestart: op.attrs['op-force-restart'],
    featureSet: op.attrs.crm_feature_set,
    migrateSource: op.attrs.migrate_source,
    migrateTarget: op.attrs.migrate_target,
    lastRcChange: Number(op.attrs['last-rc-change'] ?? op.attrs['last-run'] ?? 0),
  };
}

export interface HistoryOptions {
  stonithEnabled: boolean;
  now: number;
}

/** Default on-fail of a task, as Pacemaker documents it. */
export function defaultOnFail(task: string, stonithEnabled: boolean): OnFail {
  if (task === 'stop') return stonithEnabled ? 'fence' : 'block';
  return 'restart';
}

function onFailFor(rsc: Primitive, task: string, intervalMs: number, opts: HistoryOptions): OnFail {
  const def = rsc.ops.find((o) => o.name === task && o.intervalMs === intervalMs);
  let v = def?.onFail?.toLowerCase();
  if (v === 'fence' && !opts.stonithEnabled) v = 'block';
  const allowed: OnFail[] = ['ignore', 'block', 'stop', 'restart', 'standby', 'fence', 'demote'];
  if (v !== undefined && (allowed as string[]).includes(v)) return v as OnFail;
  return defaultOnFail(task, opts.stonithEnabled);
}

/** Replays one node's operations for one resource into its state on that node. */
export function replayHistory(rsc: Primitive, node: Node, lrm: XmlElement, opts: HistoryOptions): NodeHistory {
  const ops = children(lrm, 'lrm_rsc_op').map(readOp);
  ops.sort((a, b) => {
    const ca = a.callId < 0 ? Number.MAX_SAFE_INTEGER : a.callId;
    const cb = b.callId < 0 ? Number.MAX_SAFE_INTEGER : b.callId;
    return ca - cb;
  });
  const h: NodeHistory = {
    node,
    role: 'Stopped',
    failed: false,
    stopFailed: false,
    recurring: new Map(),
    activeOps: [],
    stoppedInHistory: false,
    otherAgent: !rsc.orphan && agentChanged(rsc, lrm),
    earliestChange: earliestChange(lrm),
    definitionChanged: false,
    notInstalled: false,
    hardBan: false,
    fatal: false,
  };
  const active = activeRecurringOps(ops, node.online);
  h.activeOps = active.ops;
  h.stoppedInHistory = active.stopped;
  const started = ops.some((op) => op.task === 'start' || op.task === 'migrate_from');
  for (const op of ops) {
    // Recurring results from before the last start belong to an earlier run; with no start
    // recorded, the last promote or demote stands for it.
    if (op.task === 'start' || op.task === 'migrate_from' || (!started && (op.task === 'promote' || op.task === 'demote'))) h.recurring.clear();
    // op-status: -1 pending, 0 done, 1 cancelled, 2 timed out, 3 unsupported, 4 error (judged by rc),
    // 5 hard error, 6 fatal error, 7 not installed, 8 not connected.
    // A result code below zero means the agent never answered: nothing to learn from it.
    if (op.task === 'cancel' || op.status === 1 || (op.rc < 0 && op.status !== -1 && op.callId >= 0)) continue;
    const recurringMonitor = op.task === 'monitor' && op.intervalMs > 0;
    const probe = op.task === 'monitor' && op.intervalMs === 0;
    if (op.status === -1 || op.callId < 0) {
      h.pendingTask = op.task;
      if (op.task === 'start' || op.task === 'migrate_from') h.role = 'Started';
      else if (op.task === 'promote') h.role = 'Promoted';
      else if (op.task === 'stop' || op.task === 'demote' || op.task === 'migrate_to') {
        if (h.role === 'Stopped') h.role = 'Started';
      } else if (op.task === 'monitor' && h.role === 'Stopped' && !probe) h.role = 'Started';
      continue;
    }
    const judgedByRc = op.status === 0 || op.status === 4;
    h.lastChange = Math.max(h.lastChange ?? 0, op.lastRcChange);
    if (op.task !== 'monitor') {
      h.migration = op.task === 'migrate_to' ? { target: op.migrateTarget ?? '', ok: judgedByRc && op.rc === 0, at: op.lastRcChange } : undefined;
      h.migratedFrom = op.task === 'migrate_from' && judgedByRc && op.rc === 0 ? op.migrateSource : undefined;
    }
    if (recurringMonitor && judgedByRc && (op.rc === 0 || op.rc === 8)) h.recurring.set(op.intervalMs, { task: op.task });
    if (probe && judgedByRc) {
      if (op.rc === 7) {
        h.role = 'Stopped';
        continue;
      }
      if (op.rc === 0) {
        if (h.role === 'Stopped') h.role = 'Started';
        continue;
      }
      if (op.rc === 8) {
        h.role = 'Promoted';
        continue;
      }
      if (op.rc === 5) {
        h.role = 'Stopped';
        h.notInstalled = true;
        h.hardBan = true;
        continue;
      }
    }
    // "Not running", when that was the expected result or a stop's, leaves it stopped whatever the task.
    if (judgedByRc && op.rc === 7 && (op.task === 'stop' || op.targetRc === 7)) {
      applySuccess(h, { ...op, task: 'stop' });
      continue;
    }
    if (judgedByRc && (op.rc === op.targetRc || (op.rc === 0 && op.targetRc !== 7) || (op.rc === 8 && (op.task === 'promote' || recurringMonitor)))) {
      applySuccess(h, op);
      continue;
    }
    if (op.status !== 7 && failureExpired(opts.now, rsc, node, op.lastRcChange, onFailFor(rsc, op.task, op.intervalMs, opts))) continue;
    if (op.status === 5) h.hardBan = true;
    if (op.status === 6) h.fatal = true;
    if (op.status === 7) {
      h.hardBan = true;
      h.notInstalled = true;
    }
    // A failure. on-fail=ignore forgives what the agent reported, not an executor that could
    // not run it at all (hard error, fatal, not installed): that one is recovered elsewhere.
    const configured = onFailFor(rsc, op.task, op.intervalMs, opts);
    const onFail = configured === 'ignore' && op.status >= 5 && op.status <= 7 ? 'restart' : configured;
    h.lastFailure = { task: op.task, intervalMs: op.intervalMs };
    if (onFail === 'ignore') {
      if (op.task === 'start' || op.task === 'migrate_from') h.role = 'Started';
      h.failureIgnored = true;
      continue;
    }
    // Invalid arguments, insufficient privileges, not installed: not on this node.
    if (judgedByRc && (op.rc === 2 || op.rc === 4 || op.rc === 5)) h.hardBan = true;
    if (judgedByRc && op.rc === 6) h.fatal = true;
    if (op.rc === 5 && op.task !== 'stop') h.notInstalled = true;
    h.failed = true;
    h.onFail = onFail;
    if (op.task === 'stop') {
      h.stopFailed = true;
      if (h.role === 'Stopped') h.role = 'Started';
    } else if (op.task === 'start' || op.task === 'migrate_from') {
      h.role = 'Started';
    } else if (op.task === 'promote') {
      h.role = 'Promoted';
    } else if (op.task === 'demote') {
      // Still promoted only when blocked; otherwise it counts as unpromoted (it is recovered
      // anyway, and any promotion is ordered after that), or stopped when it reported so.
      if (onFail === 'block') h.role = 'Promoted';
      else if (judgedByRc && op.rc === 7) h.role = 'Stopped';
      else h.role = 'Unpromoted';
    } else if (op.rc === 8 || op.rc === 9) {
      h.role = 'Promoted';
    } else if (op.task === 'migrate_to') {
      if (h.role === 'Stopped') h.role = 'Started';
    } else if (op.rc === 7 && recurringMonitor) {
      if (h.role === 'Stopped') h.role = 'Started';
    } else if (h.role === 'Stopped') {
      h.role = 'Started';
    }
  }
  // The configuration is checked against the history only on nodes that could run actions
  // (or are in maintenance): not on one shutting down, in standby, unclean or offline.
  if (!isActive(h) || rsc.orphan || !(node.maintenance || nodeCanHost(node))) return h;
  // Another agent than the one recorded: restarted with the new one, its history no guide.
  if (agentChanged(rsc, lrm)) {
    h.definitionChanged = true;
    h.agentChanged = true;
    return h;
  }
  checkDefinitions(rsc, h, ops);
  return h;
}

function earliestChange(lrm: XmlElement): number | undefined {
  const times = children(lrm, 'lrm_rsc_op').flatMap((op) => (op.attrs['last-rc-change'] === undefined ? [] : [Number(op.attrs['last-rc-change'])]));
  return times.length > 0 ? Math.min(...times) : undefined;
}

function agentChanged(rsc: Primitive, lrm: XmlElement): boolean {
  const recorded = lrm.attrs;
  if (recorded.class !== undefined && recorded.class !== rsc.cls) return true;
  if (recorded.type !== undefined && recorded.type !== rsc.type) return true;
  return recorded.provider !== undefined && recorded.provider !== (rsc.provider ?? '');
}

/**
 * Every operation recorded since the resource last started here was run with the definition of
 * its time: one run with other parameters than configured now restarts the resource (or reloads
 * it), or issues a recurring one again.
 */
function checkDefinitions(rsc: Primitive, h: NodeHistory, ops: OpRecord[]): void {
  const verdicts = sinceLastStart(ops)
    .filter((op) => op.intervalMs > 0 || ['monitor', 'start', 'promote', 'migrate_from'].includes(op.task))
    .map((op) => ({ op, verdict: checkRecordedDefinition(rsc, op) }));
  const restart = verdicts.some((v) => v.verdict === 'restart');
  h.reload = !restart && verdicts.some((v) => v.verdict === 'reload');
  // An agent cannot reload what it has not finished starting: it restarts instead.
  h.definitionChanged = restart || (h.reload && h.pendingTask === 'start');
  const rescheduled = verdicts.filter((v) => v.verdict === 'reschedule');
  if (rescheduled.length > 0) h.rescheduled = new Set(rescheduled.map((v) => v.op.intervalMs));
}

function applySuccess(h: NodeHistory, op: OpRecord): void {
  switch (op.task) {
    case 'start':
    case 'migrate_from':
      h.role = 'Started';
      h.failed = false;
      h.onFail = undefined;
      h.stopFailed = false;
      h.migrateTarget = undefined;
      break;
    case 'stop':
      h.role = 'Stopped';
      h.failed = false;
      h.onFail = undefined;
      h.stopFailed = false;
      h.migrateTarget = undefined;
      h.recurring.clear();
      break;
    case 'promote':
      h.role = 'Promoted';
      break;
    case 'demote':
      h.role = 'Unpromoted';
      break;
    case 'migrate_to':
      if (h.role === 'Stopped') h.role = 'Started';
      break;
    case 'monitor':
      if (op.rc === 8) h.role = 'Promoted';
      else if (op.rc === 7) h.role = 'Stopped';
      else if (h.role === 'Stopped') h.role = 'Started';
      break;
    default:
      break;
  }
}

export function isActive(h: NodeHistory): boolean {
  return h.role !== 'Stopped' || h.failed;
}

export interface StatusIndex {
  /** Primitive by configured id (non-clone primitives). */
  byId: Map<string, Primitive>;
  /** Clone by the id of its primitive (or group member primitive). */
  cloneByChild: Map<string, { clone: Clone; memberIndex: number }>;
}

export function indexResources(resources: Resource[]): StatusIndex {
  const byId = new Map<string, Primitive>();
  const cloneByChild = new Map<string, { clone: Clone; memberIndex: number }>();
  for (const r of resources) {
    if (r.kind === 'clone') {
      const first = r.instances[0];
      // clone-max=0: no instances, yet the history of a primitive child still belongs to the clone.
      if (!first) {
        if (!r.unique) cloneByChild.set(r.childId, { clone: r, memberIndex: -1 });
        continue;
      }
      if (first.kind === 'primitive') cloneByChild.set(first.configId, { clone: r, memberIndex: -1 });
      else first.children.forEach((c, i) => cloneByChild.set(c.configId, { clone: r, memberIndex: i }));
    } else {
      for (const p of primitivesOf(r)) byId.set(p.id, p);
    }
  }
  return { byId, cloneByChild };
}

function stripInstance(id: string): { base: string; n?: number } {
  const m = /^(.*):(\d+)$/.exec(id);
  return m ? { base: m[1], n: Number(m[2]) } : { base: id };
}

export interface Orphan {
  id: string;
  cls: string;
  provider?: string;
  type: string;
  node: Node;
  lrm: XmlElement;
}

/** The primitive an orphan's history is replayed into: known only by its agent, as recorded. */
export function orphanPrimitive(o: Orphan, meta: Map<string, string>, order: number): Primitive {
  return {
    kind: 'primitive',
    id: o.id,
    configId: o.id,
    cls: o.cls,
    provider: o.provider,
    type: o.type,
    meta,
    params: new Map(),
    ops: [],
    utilization: new Map(),
    order,
    priority: 0,
    history: new Map(),
    probed: new Set(),
    orphan: true,
    displayName: o.id,
  };
}

/**
 * Records what a node's lrm_resource entry says of a primitive. A node may list the same
 * resource twice: as in Pacemaker, the later entry never lowers the role an earlier one found.
 */
function record(p: Primitive, node: Node, h: NodeHistory): void {
  const prev = p.history.get(node.uname);
  if (prev && isActive(prev) && !isActive(h)) return;
  p.history.set(node.uname, h);
}

/**
 * Reads every node's lrm history into the primitives. Anonymous clone copies are mapped to
 * the lowest instance that is not yet active anywhere, as the history does not pin numbers.
 */
export function readHistory(cib: XmlElement, nodes: Node[], resources: Resource[], opts: HistoryOptions, makeExtra: (clone: Clone) => Primitive | Group | undefined): Orphan[] {
  const index = indexResources(resources);
  const nodeByName = new Map(nodes.map((n) => [n.uname, n]));
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const orphans: Orphan[] = [];
  const nodeCount = children(child(child(cib, 'configuration'), 'nodes'), 'node').length;
  const nodeOf = (state: XmlElement): Node | undefined => nodeByName.get(state.attrs.uname ?? '') ?? nodeById.get(state.attrs.id ?? '');
  // Without fencing, online nodes' histories are read first: anonymous instances found on a lost
  // node take the numbers left over. With fencing, every node is read in status order.
  const states = children(child(cib, 'status'), 'node_state');
  const ordered = opts.stonithEnabled ? states : [...states.filter((st) => nodeOf(st)?.online === true), ...states.filter((st) => nodeOf(st)?.online !== true)];
  for (const state of ordered) {
    const node = nodeOf(state);
    if (!node) continue;
    const lrmResources = children(child(child(state, 'lrm'), 'lrm_resources'), 'lrm_resource');
    for (const recorded of lrmResources) {
      const rid = recorded.attrs.id ?? '';
      const direct = index.byId.get(rid);
      if (direct) {
        const lrm = withoutExpiredProbes(recorded, direct, opts.now);
        if (!lrm) continue;
        direct.probed.add(node.uname);
        record(direct, node, replayHistory(direct, node, lrm, opts));
        continue;
      }
      const { base, n } = stripInstance(rid);
      const entry = index.cloneByChild.get(base);
      if (!entry) {
        orphans.push({ id: rid, cls: recorded.attrs.class ?? 'ocf', provider: recorded.attrs.provider, type: recorded.attrs.type ?? '', node, lrm: recorded });
        continue;
      }
      const { clone, memberIndex } = entry;
      const pick = (inst: Primitive | Group): Primitive => (inst.kind === 'primitive' ? inst : inst.children[memberIndex]);
      const first = clone.instances[0];
      const lrm = first ? withoutExpiredProbes(recorded, pick(first), opts.now) : recorded;
      if (!lrm) continue;
      if (n === undefined) clone.baseNameInHistory = true;
      // An anonymous clone's copies are interchangeable, so any entry tells of them all; a unique
      // instance is known only where its own entry is.
      if (!clone.unique) for (const inst of clone.instances) pick(inst).probed.add(node.uname);
      const template = pick(clone.instances[0] ?? (makeExtra(clone) as Primitive | Group));
      if (!template) continue;
      const probeState = replayHistory(template, node, lrm, opts);
      // A hard failure (say, the agent is not installed there) bans the whole clone from the node.
      if (probeState.hardBan && !isActive(probeState)) {
        for (const inst of clone.instances) if (!pick(inst).history.has(node.uname)) pick(inst).history.set(node.uname, replayHistory(pick(inst), node, lrm, opts));
        continue;
      }
      let target: Primitive | Group | undefined;
      if (clone.unique) {
        target = clone.instances.find((i) => i.id === (clone.instances[0].kind === 'primitive' ? rid : `${clone.childId}:${n ?? -1}`));
        if (!target && n !== undefined) {
          // Beyond clone-max: an orphaned instance.
          const extra = makeExtra(clone);
          if (extra) target = extra;
        }
      } else {
        // A copy that is not running still makes the instance Pacemaker maps it to known there.
        const slot = anonymousInstanceFor({ clone, member: pick, node, nodeCount, stonithEnabled: opts.stonithEnabled });
        if (slot) clone.knownOn.set(node.uname, (clone.knownOn.get(node.uname) ?? new Set()).add(slot));
        if (isActive(probeState)) target = slot ?? makeExtra(clone);
      }
      if (!target) continue;
      const prim = pick(target);
      prim.probed.add(node.uname);
      if (isActive(probeState) || prim.historyName === undefined) prim.historyName = rid;
      record(prim, node, replayHistory(prim, node, lrm, opts));
    }
  }
  return orphans;
}

export function roleOfHistory(h: NodeHistory): Role {
  return h.role;
}
