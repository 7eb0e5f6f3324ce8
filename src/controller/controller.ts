import { serializeXml, type XmlElement } from '../cib/xml.js';
import type { ActionResource, ClusterAction, FenceAction, GraphAction, ResourceAction, TransitionGraph } from '../scheduler/graph.js';
import { section, statusOf } from './cib-tree.js';
import { clusterOptions, isTrue, nextFailureExpiry, nextRuleExpiry, property, type ClusterTimers } from './options.js';
import {
  applyStatusUpdates,
  isFailure,
  OpStatus,
  transitionKey,
  type OpStatusCode,
  type OperationRecord,
  type StatusUpdate,
} from './history.js';
import { withNodeResourceIds } from './instance-names.js';
import { guardGraph, leftCleanly } from './fencing-guard.js';
import { TransitionRun } from './transition.js';

const FENCE_RETRY_MS = 2000;
/** The rc of an operation not finished yet (Pacemaker's PCMK_OCF_UNKNOWN). */
const PENDING_RC = 193;
const DISPATCH_RETRY_MS = 1000;
/** How long past its own timeout an action may stay unanswered (Pacemaker's cluster-delay). */
const CLUSTER_DELAY_MS = 60_000;

/**
 * The DC's transition engine as a pure state machine, in the style of etcd raft's Ready hand-off:
 * the I/O shell feeds it events with the time, and carries out what it returns (schedule in a
 * worker, dispatch operations to node executors, fence, write status). It never waits.
 */

export interface OperationOutcome {
  rc: number;
  opStatus: OpStatusCode;
  exitReason: string;
  /** Epoch milliseconds at which the agent was started. */
  startedAtMs: number;
  durationMs: number;
  queueTimeMs?: number;
  digest?: string;
}

export interface MembershipView {
  members: string[];
  dc: string | null;
  quorate: boolean;
  /** Members whose controller has not said hello yet: nothing may be placed there (join pending). */
  pending?: string[];
}

export type ControllerEvent =
  | { type: 'cib'; cib: XmlElement }
  | { type: 'membership'; view: MembershipView }
  | { type: 'planned'; request: number; graph: TransitionGraph }
  | { type: 'plan-failed'; request: number; error: string }
  /** `about` and `origin` (the uuid of the DC that asked) describe the operation when the node knows them. */
  | { type: 'operation-result'; transition: number; action: number; outcome: OperationOutcome; about?: ResourceAction; origin?: string }
  /** After a DC change: an operation an earlier DC (or this one) asked for still runs on `node`. */
  | { type: 'operation-pending'; node: string; transition: number; origin: string; action: ResourceAction }
  /** A recurring monitor's result changed after its first result. */
  | { type: 'monitor-result'; node: string; resource: ActionResource; intervalMs: number; outcome: OperationOutcome }
  | { type: 'fence-result'; transition: number; action: number; ok: boolean; detail: string }
  | { type: 'cluster-result'; transition: number; action: number; ok: boolean; detail: string }
  /** An operation could not even be handed to its node: nothing ran, nothing is recorded. */
  | { type: 'dispatch-failed'; transition: number; action: number; detail: string }
  | { type: 'tick' };

export interface Dispatch {
  transition: number;
  action: ResourceAction;
  /** The rc that counts as success for this action. */
  targetRc: number;
}

export interface LogLine {
  level: 'info' | 'notice' | 'warning' | 'error';
  msg: string;
}

export interface Ready {
  /** Run the scheduler on this CIB (off the heartbeat path) and answer with `planned`. */
  plan: { request: number; cib: XmlElement; now: number } | null;
  dispatch: Dispatch[];
  fence: { transition: number; action: FenceAction }[];
  cluster: { transition: number; action: ClusterAction }[];
  /** Status writes, in order; the shell applies them to the live CIB. */
  status: StatusUpdate[];
  log: LogLine[];
}

export interface ControllerConfig {
  self: string;
  /** Identifies this controller instance in transition keys (Pacemaker's DC uuid). */
  uuid: string;
}

export interface TransitionSummary {
  id: number;
  actions: number;
  counts: Record<'waiting' | 'in-flight' | 'confirmed' | 'failed', number>;
  aborted: string | null;
}

function emptyReady(): Ready {
  return { plan: null, dispatch: [], fence: [], cluster: [], status: [], log: [] };
}

/** The rc that means success: a probe expects "not running", a promoted monitor "running promoted". */
export function targetRcFor(action: ResourceAction): number {
  if (action.task === 'monitor' && action.intervalMs === 0) return 7;
  const role = action.resource.meta.role ?? action.resource.meta.CRM_meta_role;
  if (action.task === 'monitor' && (role === 'Master' || role === 'Promoted')) return 8;
  return 0;
}

export class Controller {
  private cib: XmlElement | null = null;
  /** Fingerprint of our own view of the CIB; null when our own writes changed it since. */
  private fingerprint: string | null = '';
  private previous: XmlElement | null = null;
  private view: MembershipView = { members: [], dc: null, quorate: false };
  private run: TransitionRun | null = null;
  private transitionSeq = 0;
  private requestSeq = 0;
  private outstanding: number | null = null;
  /** A change arrived that the current (or requested) plan did not see. */
  private dirty = false;
  private planAt: number | null = null;
  private recheckAt: number | null = null;
  private timers: ClusterTimers = clusterOptions(undefined);
  private readonly callIds = new Map<string, number>();
  private readonly dispatched = new Map<string, { key: string; targetRc: number }>();
  private readonly history: TransitionSummary[] = [];
  /** When each in-flight action of the current transition must have answered. */
  private readonly deadlines = new Map<number, number>();
  private nowMs = 0;

  constructor(private readonly config: ControllerConfig) {}

  get isDc(): boolean {
    return this.view.dc === this.config.self;
  }

  /** The current transition, for status displays. */
  current(): TransitionSummary | null {
    return this.run ? summarize(this.run) : null;
  }

  /** The last few finished transitions, newest last. */
  finished(): readonly TransitionSummary[] {
    return this.history;
  }

  /** The earliest time a tick can do something, for the shell's timer. */
  nextWakeMs(): number | null {
    const times = [this.planAt, this.recheckAt, ...this.deadlines.values()].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  handle(event: ControllerEvent, nowMs: number): Ready {
    const ready = emptyReady();
    this.nowMs = nowMs;
    switch (event.type) {
      case 'cib':
        this.onCib(event.cib, nowMs, ready);
        break;
      case 'membership':
        this.onMembership(event.view, nowMs, ready);
        break;
      case 'planned':
        this.onPlanned(event.request, event.graph, nowMs, ready);
        break;
      case 'plan-failed':
        if (event.request === this.outstanding) {
          this.outstanding = null;
          ready.log.push({ level: 'error', msg: `scheduler failed: ${event.error}` });
          // Retrying at once would spin on a CIB the scheduler cannot handle: wait for a change or the recheck.
          this.recheckAt = nowMs + Math.min(this.timers.recheckMs, 60_000);
        }
        break;
      case 'operation-result':
        this.onOperationResult(event, nowMs, ready);
        break;
      case 'operation-pending':
        this.onOperationPending(event, nowMs, ready);
        break;
      case 'monitor-result':
        this.onMonitorResult(event, nowMs, ready);
        break;
      case 'fence-result':
        this.onFenceResult(event, nowMs, ready);
        break;
      case 'cluster-result': {
        const run = this.runFor(event.transition);
        if (run) {
          if (event.ok) run.confirm(event.action);
          else run.fail(event.action, `cluster action ${event.action} failed: ${event.detail}`);
        }
        break;
      }
      case 'dispatch-failed': {
        const run = this.runFor(event.transition);
        if (run && run.state(event.action) === 'in-flight') {
          run.fail(event.action, event.detail);
          ready.log.push({ level: 'warning', msg: `action ${event.action} not dispatched: ${event.detail}` });
          this.markDirty(nowMs, 'an action could not be dispatched', ready);
          // The node's controller is probably still starting: give it a moment.
          this.planAt = Math.max(this.planAt ?? 0, nowMs + DISPATCH_RETRY_MS);
        }
        break;
      }
      case 'tick':
        this.expireActions(nowMs, ready);
        break;
    }
    this.advance(nowMs, ready);
    return ready;
  }

  /** An action nobody answered (its node's controller died, a message was lost): the graph is aborted. */
  private expireActions(nowMs: number, ready: Ready): void {
    const run = this.run;
    if (!run) return;
    for (const [id, deadline] of this.deadlines) {
      if (nowMs < deadline) continue;
      this.deadlines.delete(id);
      if (run.state(id) !== 'in-flight') continue;
      run.fail(id, `action ${id} got no answer in time`);
      ready.log.push({ level: 'warning', msg: `action ${id} of transition ${run.id} timed out without an answer` });
      this.markDirty(nowMs, 'an action timed out', ready);
    }
  }

  private runFor(transition: number): TransitionRun | null {
    return this.run && this.run.id === transition ? this.run : null;
  }

  private markDirty(nowMs: number, reason: string, ready: Ready): void {
    if (!this.isDc) return;
    if (!this.dirty) ready.log.push({ level: 'info', msg: `re-plan needed: ${reason}` });
    this.dirty = true;
    if (this.run && !this.run.finished) this.run.abort(reason);
    const at = nowMs + this.timers.transitionDelayMs;
    this.planAt = this.planAt === null ? at : Math.min(this.planAt, at);
  }

  private onCib(cib: XmlElement, nowMs: number, ready: Ready): void {
    this.previous = this.fingerprint === null ? this.cib : null;
    this.cib = cib;
    this.timers = clusterOptions(section(cib, 'crm_config'));
    this.learnCallIds(cib);
    const fp = fingerprint(cib);
    if (this.fingerprint === null && this.previous) this.fingerprint = fingerprint(this.previous);
    this.previous = null;
    if (fp !== this.fingerprint) {
      this.fingerprint = fp;
      this.markDirty(nowMs, 'the CIB changed', ready);
    }
  }

  private onMembership(view: MembershipView, nowMs: number, ready: Ready): void {
    const before = new Set(this.view.members);
    const wasDc = this.isDc;
    const lost = this.view.members.filter((m) => !view.members.includes(m));
    const joined = view.members.filter((m) => !before.has(m));
    this.view = { ...view, members: [...view.members], pending: [...(view.pending ?? [])] };
    if (!this.isDc) {
      if (wasDc) ready.log.push({ level: 'notice', msg: `no longer the DC (DC is ${view.dc ?? 'none'})` });
      // Results still arriving belong to the new DC now; forget our graph.
      this.run = null;
      this.dirty = false;
      this.planAt = null;
      this.recheckAt = null;
      this.outstanding = null;
      return;
    }
    if (!wasDc) ready.log.push({ level: 'notice', msg: `this node is the DC of ${view.members.length} member(s)` });
    // A joining node's history in the CIB may be stale: forgetting it makes the scheduler probe
    // everything there before it may start anything there.
    for (const node of joined) this.emit(ready, [{ kind: 'node-joined', node }]);
    // Without fencing, a node that left runs nothing the cluster can count on; one that left
    // cleanly (said so, and its history shows everything stopped) runs nothing. Either way its
    // history no longer describes it. (Otherwise the history stays until the node is fenced.)
    for (const node of lost) if (!this.fencingEnabled() || this.leftCleanly(node)) this.emit(ready, [{ kind: 'forget-node-history', node }]);
    if (this.run) {
      for (const action of this.run.inFlight()) {
        if ('node' in action && action.node !== undefined && lost.includes(action.node) && action.kind !== 'fence') {
          this.run.fail(action.id, `${action.node} left the cluster with action ${action.id} in flight`);
        }
      }
    }
    this.markDirty(nowMs, lost.length ? `lost ${lost.join(', ')}` : joined.length ? `joined ${joined.join(', ')}` : 'membership changed', ready);
  }

  private onPlanned(request: number, graph: TransitionGraph, nowMs: number, ready: Ready): void {
    if (request !== this.outstanding) return;
    this.outstanding = null;
    if (this.dirty) return; // A newer change arrived while planning; advance() asks again.
    this.transitionSeq += 1;
    const named = withNodeResourceIds(graph);
    const guarded = this.cib ? guardGraph(named, this.cibForScheduler(), this.view.members, this.view.quorate) : { graph: named, added: [] };
    for (const node of guarded.added) ready.log.push({ level: 'warning', msg: `the plan did not fence unclean ${node}: fencing it before any recovery` });
    this.run = new TransitionRun(this.transitionSeq, guarded.graph);
    this.deadlines.clear();
    this.recheckAt = nowMs + this.timers.recheckMs;
    for (const expiry of this.cib ? [nextFailureExpiry(this.cib, nowMs), nextRuleExpiry(this.cib, nowMs)] : []) {
      if (expiry !== null) this.recheckAt = Math.min(this.recheckAt, expiry);
    }
    ready.log.push({ level: 'info', msg: `transition ${this.transitionSeq}: ${guarded.graph.actions.length} action(s)` });
  }

  private onOperationResult(event: Extract<ControllerEvent, { type: 'operation-result' }>, nowMs: number, ready: Ready): void {
    const { transition, outcome } = event;
    const ours = event.origin === undefined || event.origin === this.config.uuid;
    const run = ours ? this.runFor(transition) : null;
    const action = run?.action(event.action);
    const state = action ? run?.state(action.id) : undefined;
    if (!run || !action || action.kind !== 'resource' || state !== 'in-flight') {
      // A result no current graph action waits for: an earlier DC's, or one given up on. It is
      // still the truth about the node (unless this graph already has it).
      if (event.about && state !== 'confirmed') this.adoptResult(event.about, transition, event.origin ?? this.config.uuid, outcome, nowMs, ready);
      return;
    }
    const key = transitionKey(action.id, transition, targetRcFor(action), this.config.uuid);
    const callId = this.nextCallId(action.node);
    const record = this.record(action.node, action.resource, action.task, action.intervalMs, callId, targetRcFor(action), key, outcome);
    if (action.task !== 'cancel') this.emit(ready, [{ kind: 'operation', op: record }]);
    const failed = isFailure(record);
    if (failed) {
      this.emit(ready, this.failCount(action.node, action.resource.id, action.task, action.intervalMs, nowMs));
      run.fail(action.id, `${action.key} on ${action.node} failed: rc=${outcome.rc} status=${outcome.opStatus}${outcome.exitReason ? ` (${outcome.exitReason})` : ''}`);
      ready.log.push({ level: 'warning', msg: `${action.key} on ${action.node} failed: rc=${outcome.rc} op-status=${outcome.opStatus} ${outcome.exitReason}`.trim() });
    } else {
      run.confirm(action.id);
      if (action.intervalMs > 0) this.dispatched.set(monitorKey(action.node, action.resource.id, action.intervalMs), { key, targetRc: targetRcFor(action) });
      // A probe that finds the resource where nothing expected it changes the plan.
      if (record.rc !== record.targetRc) run.abort(`${action.key} on ${action.node} found rc=${record.rc}`);
    }
    if (failed || record.rc !== record.targetRc) this.markDirty(nowMs, `${action.key} on ${action.node} returned rc=${record.rc}`, ready);
  }

  private adoptResult(action: ResourceAction, transition: number, origin: string, outcome: OperationOutcome, nowMs: number, ready: Ready): void {
    if (!this.isDc || action.task === 'cancel' || !this.reportsFromMember(action.node)) return;
    const targetRc = targetRcFor(action);
    const key = transitionKey(action.id, transition, targetRc, origin);
    if (this.hasRecord(action.node, action.resource.id, key, false)) return;
    const record = this.record(action.node, action.resource, action.task, action.intervalMs, this.nextCallId(action.node), targetRc, key, outcome);
    this.emit(ready, [{ kind: 'operation', op: record }]);
    const failed = isFailure(record);
    if (failed) this.emit(ready, this.failCount(action.node, action.resource.id, action.task, action.intervalMs, nowMs));
    else if (action.intervalMs > 0) this.dispatched.set(monitorKey(action.node, action.resource.id, action.intervalMs), { key, targetRc });
    ready.log.push({ level: 'notice', msg: `${action.key} on ${action.node} (transition ${transition} of ${origin}) returned rc=${outcome.rc}: recorded` });
    this.markDirty(nowMs, `${action.key} on ${action.node} finished outside the current transition`, ready);
  }

  /**
   * Whether the node's history already holds the result of this graph action (or, `orPending`,
   * knows it is under way): a result delivered twice must not count twice.
   */
  private hasRecord(node: string, resource: string, key: string, orPending: boolean): boolean {
    const state = this.cib ? statusOf(this.cib)?.children.find((s) => s.name === 'node_state' && s.attrs.uname === node) : undefined;
    for (const lrm of state?.children ?? []) {
      if (lrm.name !== 'lrm') continue;
      for (const rscs of lrm.children) for (const rsc of rscs.children) {
        if (rsc.attrs.id !== resource) continue;
        if (rsc.children.some((op) => op.attrs['transition-key'] === key && (orPending || op.attrs['op-status'] !== String(OpStatus.pending)))) return true;
      }
    }
    return false;
  }

  /** Recorded as pending, the operation counts as under way: nothing starts the same elsewhere. */
  private onOperationPending(event: Extract<ControllerEvent, { type: 'operation-pending' }>, nowMs: number, ready: Ready): void {
    const { action, transition, origin } = event;
    if (!this.isDc || action.task === 'cancel' || action.node !== event.node || !this.reportsFromMember(event.node)) return;
    if (origin === this.config.uuid && this.runFor(transition)?.state(action.id) === 'in-flight') return;
    const targetRc = targetRcFor(action);
    const key = transitionKey(action.id, transition, targetRc, origin);
    if (this.hasRecord(action.node, action.resource.id, key, true)) return;
    const pending: OperationOutcome = { rc: PENDING_RC, opStatus: OpStatus.pending, exitReason: '', startedAtMs: nowMs, durationMs: 0 };
    this.emit(ready, [{ kind: 'operation', op: this.record(action.node, action.resource, action.task, action.intervalMs, this.nextCallId(action.node), targetRc, key, pending) }]);
    ready.log.push({ level: 'notice', msg: `${action.key} on ${action.node} (transition ${transition} of ${origin}) is still running` });
    this.markDirty(nowMs, `${action.key} still running on ${action.node}`, ready);
  }

  private onMonitorResult(event: Extract<ControllerEvent, { type: 'monitor-result' }>, nowMs: number, ready: Ready): void {
    if (!this.reportsFromMember(event.node)) return;
    const known = this.dispatched.get(monitorKey(event.node, event.resource.id, event.intervalMs));
    const targetRc = known?.targetRc ?? 0;
    const key = known?.key ?? transitionKey(0, this.transitionSeq, targetRc, this.config.uuid);
    const record = this.record(event.node, event.resource, 'monitor', event.intervalMs, this.nextCallId(event.node), targetRc, key, event.outcome);
    this.emit(ready, [{ kind: 'operation', op: record }]);
    if (isFailure(record)) {
      this.emit(ready, this.failCount(event.node, event.resource.id, 'monitor', event.intervalMs, nowMs));
      ready.log.push({ level: 'warning', msg: `${event.resource.id}_monitor_${event.intervalMs} on ${event.node} failed: rc=${event.outcome.rc}` });
      this.markDirty(nowMs, `${event.resource.id} failed on ${event.node}`, ready);
    }
  }

  /**
   * What a node outside the view reports about itself is not recorded. Either it was fenced since
   * (the report predates the fencing, e.g. a TCP retransmission from its old life once its link
   * is back, and recording it would bring back what the fencing ended: fenced again), or it is
   * cut off and the DC plans by its own knowledge anyway. When it rejoins its history is forgotten
   * and probed again (node-joined).
   */
  private reportsFromMember(node: string): boolean {
    return this.view.members.includes(node);
  }

  private onFenceResult(event: Extract<ControllerEvent, { type: 'fence-result' }>, nowMs: number, ready: Ready): void {
    const run = this.runFor(event.transition);
    const action = run?.action(event.action);
    if (!run || !action || action.kind !== 'fence') return;
    if (event.ok) {
      ready.log.push({ level: 'notice', msg: `${action.node} was fenced (${action.fenceAction}): ${event.detail}` });
      this.emit(ready, [{ kind: 'node-fenced', node: action.node }]);
      run.confirm(action.id);
    } else {
      ready.log.push({ level: 'error', msg: `fencing ${action.node} failed: ${event.detail}` });
      run.fail(action.id, `fencing ${action.node} failed`);
      this.markDirty(nowMs, `fencing ${action.node} failed`, ready);
      // Try again, but not in a tight loop against a device that cannot work.
      this.planAt = Math.max(this.planAt ?? 0, nowMs + FENCE_RETRY_MS);
    }
  }

  private fencingEnabled(): boolean {
    const crmConfig = this.cib ? section(this.cib, 'crm_config') : undefined;
    const raw = property(crmConfig, 'stonith-enabled') ?? property(crmConfig, 'fencing-enabled');
    return raw === undefined || isTrue(raw);
  }

  /** Without a CIB yet nothing shows the node stopped everything: it did not leave cleanly. */
  private leftCleanly(node: string): boolean {
    if (!this.cib) return false;
    return (statusOf(this.cib)?.children ?? []).some((s) => s.name === 'node_state' && s.attrs.uname === node && leftCleanly(s));
  }

  /**
   * Hands status writes to the shell and applies them to our own view at once, so the next plan
   * sees them even before the write comes back; our own node-state and attribute writes must not
   * look like someone else's change when it does.
   */
  private emit(ready: Ready, updates: StatusUpdate[]): void {
    ready.status.push(...updates);
    if (!this.cib) return;
    this.cib = applyStatusUpdates(this.cib, updates);
    this.fingerprint = null;
  }

  private failCount(node: string, resource: string, task: string, intervalMs: number, nowMs: number): StatusUpdate[] {
    const fatal = task === 'start' && this.timers.startFailureIsFatal;
    return [{ kind: 'fail-count', node, resource, task, intervalMs, add: fatal ? 'INFINITY' : 1, lastFailure: Math.floor(nowMs / 1000) }];
  }

  private record(
    node: string,
    resource: ActionResource,
    task: string,
    intervalMs: number,
    callId: number,
    targetRc: number,
    key: string,
    outcome: OperationOutcome,
  ): OperationRecord {
    return {
      node,
      resource: { id: resource.id, agentClass: resource.agentClass, provider: resource.provider, type: resource.type },
      task,
      intervalMs,
      callId,
      rc: outcome.rc,
      opStatus: outcome.opStatus,
      targetRc,
      transitionKey: key,
      digest: outcome.digest,
      lastRcChange: Math.floor((outcome.startedAtMs + outcome.durationMs) / 1000),
      execTimeMs: Math.round(outcome.durationMs),
      queueTimeMs: Math.round(outcome.queueTimeMs ?? 0),
      exitReason: outcome.exitReason,
    };
  }

  private learnCallIds(cib: XmlElement): void {
    for (const state of statusOf(cib)?.children ?? []) {
      const node = state.attrs.uname;
      if (state.name !== 'node_state' || node === undefined) continue;
      let max = this.callIds.get(node) ?? 0;
      for (const lrm of state.children) {
        if (lrm.name !== 'lrm') continue;
        for (const rscs of lrm.children) for (const rsc of rscs.children) for (const op of rsc.children) {
          const id = Number.parseInt(op.attrs['call-id'] ?? '', 10);
          if (id > max) max = id;
        }
      }
      this.callIds.set(node, max);
    }
  }

  private nextCallId(node: string): number {
    const next = (this.callIds.get(node) ?? 0) + 1;
    this.callIds.set(node, next);
    return next;
  }

  /** Dispatches what can run, finishes graphs, and asks for a plan when one is due. */
  private advance(nowMs: number, ready: Ready): void {
    if (!this.isDc || !this.cib) return;
    if (this.recheckAt !== null && nowMs >= this.recheckAt) {
      this.recheckAt = null;
      this.markDirty(nowMs, 'recheck interval or failure expiry', ready);
    }
    this.dispatchRunnable(ready);
    if (this.run && this.run.finished) {
      const summary = summarize(this.run);
      this.history.push(summary);
      if (this.history.length > 20) this.history.shift();
      ready.log.push({
        level: this.run.complete ? 'info' : 'notice',
        msg: `transition ${this.run.id} ${this.run.complete ? 'complete' : `aborted: ${this.run.aborted ?? 'incomplete'}`} (${summary.counts.confirmed}/${summary.actions} confirmed)`,
      });
      if (!this.run.complete) this.dirty = true;
      this.run = null;
      this.deadlines.clear();
      if (this.dirty && this.planAt === null) this.planAt = nowMs + this.timers.transitionDelayMs;
    }
    if (this.dirty && this.run === null && this.outstanding === null && this.planAt !== null && nowMs >= this.planAt) {
      this.dirty = false;
      this.planAt = null;
      this.requestSeq += 1;
      this.outstanding = this.requestSeq;
      ready.plan = { request: this.requestSeq, cib: this.cibForScheduler(), now: Math.floor(nowMs / 1000) };
    }
  }

  private dispatchRunnable(ready: Ready): void {
    const run = this.run;
    if (!run) return;
    for (;;) {
      const runnable = run.takeRunnable();
      if (runnable.length === 0) return;
      let immediate = false;
      for (const action of runnable) immediate = this.start(run, action, ready) || immediate;
      if (!immediate) return;
    }
  }

  /** Starts one action; returns true when it was confirmed on the spot (so more may now run). */
  private start(run: TransitionRun, action: GraphAction, ready: Ready): boolean {
    switch (action.kind) {
      case 'pseudo':
        run.confirm(action.id);
        return true;
      case 'resource':
        ready.dispatch.push({ transition: run.id, action, targetRc: targetRcFor(action) });
        this.deadlines.set(action.id, this.nowMs + action.timeoutMs + CLUSTER_DELAY_MS);
        return false;
      case 'fence':
        ready.fence.push({ transition: run.id, action });
        return false;
      case 'cluster':
        if (action.task === 'do_shutdown') {
          ready.cluster.push({ transition: run.id, action });
          return false;
        }
        if (action.resourceId === undefined) {
          run.fail(action.id, `${action.task} without a resource`);
          return false;
        }
        this.emit(ready, [{ kind: action.task === 'clear_failcount' ? 'clear-failures' : 'forget-resource', node: action.node, resource: action.resourceId }]);
        run.confirm(action.id);
        return true;
    }
  }

  /**
   * The CIB as this DC sees it: quorum, DC and who is up come from the agreed membership view,
   * whatever the replicated status says yet, so a lost node is planned for as soon as the view
   * shows it gone (and stays UNCLEAN, to be fenced, unless it said it was leaving).
   */
  private cibForScheduler(): XmlElement {
    const cib = this.cib as XmlElement;
    const members = new Set(this.view.members);
    const pending = new Set(this.view.pending ?? []);
    const configured = (section(cib, 'nodes')?.children ?? []).filter((n) => n.name === 'node' && n.attrs.uname !== undefined);
    const status = statusOf(cib);
    const states = new Map((status?.children ?? []).filter((s) => s.name === 'node_state' && s.attrs.uname).map((s) => [s.attrs.uname as string, s]));
    const stateFor = (name: string, id: string, existing: XmlElement | undefined): XmlElement => {
      const base = existing ?? { name: 'node_state', attrs: { id, uname: name }, children: [] };
      const up = members.has(name);
      const attrs = up
        ? { ...base.attrs, in_ccm: 'true', crmd: 'online', join: pending.has(name) ? 'pending' : 'member', expected: 'member' }
        : // A node that said it was leaving but may still run something is unclean: the scheduler fences it.
          { ...base.attrs, in_ccm: 'false', crmd: 'offline', join: 'down', expected: existing && !leftCleanly(existing) ? 'member' : (base.attrs.expected ?? 'down') };
      return { ...base, attrs };
    };
    const children: XmlElement[] = [];
    for (const state of status?.children ?? []) {
      children.push(state.name === 'node_state' && state.attrs.uname ? stateFor(state.attrs.uname, state.attrs.id, state) : state);
    }
    for (const node of configured) {
      const name = node.attrs.uname as string;
      if (!states.has(name) && members.has(name)) children.push(stateFor(name, node.attrs.id ?? name, undefined));
    }
    const newStatus: XmlElement = { name: 'status', attrs: status?.attrs ?? {}, children };
    return {
      ...cib,
      attrs: { ...cib.attrs, 'have-quorum': this.view.quorate ? '1' : '0', 'dc-uuid': dcId(cib, this.config.self) },
      children: [...cib.children.filter((c) => c.name !== 'status'), newStatus],
    };
  }
}

function summarize(run: TransitionRun): TransitionSummary {
  return { id: run.id, actions: run.graph.actions.length, counts: run.counts(), aborted: run.aborted };
}

function monitorKey(node: string, resource: string, intervalMs: number): string {
  return `${node}\u0000${resource}\u0000${intervalMs}`;
}

function dcId(cib: XmlElement, self: string): string {
  return section(cib, 'nodes')?.children.find((n) => n.name === 'node' && n.attrs.uname === self)?.attrs.id ?? self;
}

/**
 * What, when it changes, may change the plan: configuration, node states, node attributes and
 * which resources have history. The operation records themselves are left out: this controller
 * writes them itself and reacts to results as they come.
 */
export function fingerprint(cib: XmlElement): string {
  const parts: string[] = [];
  const configuration = cib.children.find((c) => c.name === 'configuration');
  if (configuration) parts.push(serializeXml(configuration));
  for (const state of statusOf(cib)?.children ?? []) {
    if (state.name !== 'node_state') continue;
    // Who is up comes from the membership view (cibForScheduler): the DC recording the same view
    // in the CIB a moment later is no reason to plan again — on a failover that replan cost the
    // first plan, made the moment the node was lost.
    const { in_ccm: _inCcm, crmd: _crmd, join: _join, ...attrs } = state.attrs;
    parts.push(JSON.stringify(attrs));
    for (const child of state.children) {
      if (child.name === 'transient_attributes') parts.push(serializeXml(child));
      // Which resources have history (not the history itself): someone else forgetting it
      // (cleanup, refresh) means probing again.
      if (child.name === 'lrm') for (const rscs of child.children) parts.push(rscs.children.map((r) => r.attrs.id).join(','));
    }
  }
  return parts.join('\n');
}
