import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { agentCommand, systemdRunning, systemdStateRc, unitName, type AgentDirectories } from './agent-command.js';
import { installDropIn } from './systemd.js';
import { agentSpecFrom, formatAgentSpec } from './agent-spec.js';
import { opDigest } from './digest.js';
import { buildAgentEnvironment, HA_RSCTMP_DEFAULT, OCF_ROOT_DEFAULT } from './environment.js';
import { mapExitCode, OCF } from './exit-codes.js';
import { MetadataError, parseMetadata, staticMetadata, type AgentMetadata } from './metadata.js';
import { defaultShimsDir } from './paths.js';
import { parseDurationMs } from './duration.js';
import { runProcess, type ProcessOutcome } from './process.js';
import { runBuiltinInProcess } from './agents/in-process.js';
import { OUTPUT_LIMIT_BYTES, type AgentSpec, type OperationRequest, type OperationResult } from './types.js';
import type { ResourceAction } from '../scheduler/graph.js';

/**
 * How the helper commands an agent runs reach the attribute service: the node's state
 * directory (the daemon's AttributeService shares that file; see its refresh()), or, offline,
 * a CIB file whose nodes and status sections hold the attributes.
 */
export type AttributeServiceLocation = { kind: 'file'; stateDir: string } | { kind: 'cib-file'; path: string };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ExecutorOptions {
  nodeName: string;
  nodeId?: string;
  shimsDir?: string;
  attributes?: AttributeServiceLocation;
  /**
   * vigild's local API socket, when the executor runs beside a daemon: agents' helpers then use
   * the live attribute service (VIGIL_SOCKET), and the file store only while it cannot be reached.
   */
  daemonSocket?: string;
  log?: (level: LogLevel, message: string) => void;
  dirs?: Partial<AgentDirectories>;
  rscTmp?: string;
  /** Between SIGTERM and SIGKILL when an operation times out. */
  killGraceMs?: number;
  outputLimit?: number;
  /** Operations running at once on this node (default 4 per core, at least 8): a burst of starts or a wave of monitors must not fork-bomb the node. */
  maxConcurrent?: number;
  /** Clock for startedAtMs: tests and the simulator give their own. */
  now?: () => number;
  /** The environment agents inherit (PATH ...); the executor's own by default. */
  inheritedEnv?: Record<string, string | undefined>;
}

export interface RecurringKey {
  resourceId: string;
  task: string;
  intervalMs: number;
}

/**
 * Called after every run of a recurring operation. `changed` is true for the first result and
 * whenever rc or status differ from the previous one: that is what the controller records.
 */
export type RecurringCallback = (result: OperationResult, changed: boolean) => void;

interface Job {
  request: OperationRequest;
  enqueuedAtMs: number;
  resolve: (result: OperationResult) => void;
  /** Set for runs of a recurring operation, so cancelling it can drop the queued run. */
  recurringId?: string;
}

interface ResourceQueue {
  running: Job | undefined;
  pending: Job[];
}

interface Recurring {
  id: string;
  request: OperationRequest;
  callback: RecurringCallback;
  timer: NodeJS.Timeout | undefined;
  last: OperationResult | undefined;
  cancelled: boolean;
  /** Run again as soon as the current run ends: the resource's process died meanwhile. */
  expedite: boolean;
}

/** Operations after which the resource runs with the request's parameters. */
const PARAMS_TAKING_TASKS = new Set(['start', 'reload', 'reload-agent', 'migrate_from']);

const recurringId = (k: RecurringKey): string => `${k.resourceId}\u0000${k.task}\u0000${k.intervalMs}`;

/**
 * Runs resource agents on this node: one operation at a time per resource (a queue each), a
 * node-wide limit on concurrent operations, recurring operations re-armed after each run.
 */
export class Executor {
  private readonly dirs: AgentDirectories;
  private readonly queues = new Map<string, ResourceQueue>();
  private readonly recurring = new Map<string, Recurring>();
  private readonly waitingForSlot: (() => void)[] = [];
  private readonly outstanding = new Set<Promise<OperationResult>>();
  private active = 0;
  private readonly maxConcurrent: number;
  private readonly now: () => number;
  private readonly shimsDir: string;
  private readonly rscTmp: string;
  /** Per resource: the agent and parameters of its last successful start (or reload, or migration here). */
  private readonly startParams = new Map<string, { agent: AgentSpec; params: Record<string, string> }>();

  constructor(private readonly options: ExecutorOptions) {
    this.dirs = {
      ocfRoot: options.dirs?.ocfRoot ?? OCF_ROOT_DEFAULT,
      lsbDir: options.dirs?.lsbDir ?? '/etc/init.d',
      fenceDir: options.dirs?.fenceDir ?? '/usr/sbin',
      systemdRunDir: options.dirs && 'systemdRunDir' in options.dirs ? options.dirs.systemdRunDir : systemdRunning() ? '/run/systemd/system' : undefined,
    };
    this.maxConcurrent = options.maxConcurrent ?? Math.max(8, 4 * availableParallelism());
    this.now = options.now ?? Date.now;
    this.shimsDir = options.shimsDir ?? defaultShimsDir();
    this.rscTmp = options.rscTmp ?? HA_RSCTMP_DEFAULT;
  }

  get directories(): Readonly<AgentDirectories> {
    return this.dirs;
  }

  /** An agent's meta-data: asked of the agent (`meta-data` action), or made from an LSB header. */
  async metadata(agent: AgentSpec, timeoutMs = 30_000): Promise<AgentMetadata> {
    const name = formatAgentSpec(agent);
    const known = staticMetadata(agent, this.dirs);
    if (known) return known;
    const result = await this.execute({ resourceId: 'RESOURCE_ID', agent, params: {}, meta: {}, task: 'meta-data', intervalMs: 0, timeoutMs });
    if (result.status !== 'done' || result.rc !== OCF.SUCCESS) {
      throw new MetadataError(`${name}: meta-data failed (${result.status}, rc ${result.rc})${result.exitReason ? `: ${result.exitReason}` : ''}${result.stderr ? `\n${result.stderr.trim()}` : ''}`);
    }
    return parseMetadata(name, result.stdout);
  }

  /** The environment an operation would run with: shown by `vigil resource op`. */
  environmentFor(request: OperationRequest): Record<string, string> {
    const extra: Record<string, string> = { VIGIL_NODE_NAME: this.options.nodeName, VIGIL_NODE: process.execPath };
    const loc = this.options.attributes;
    if (loc?.kind === 'file') extra.VIGIL_STATE_DIR = loc.stateDir;
    if (loc?.kind === 'cib-file') extra.CIB_file = loc.path;
    if (this.options.daemonSocket !== undefined) extra.VIGIL_SOCKET = this.options.daemonSocket;
    return buildAgentEnvironment(request, {
      nodeName: this.options.nodeName,
      nodeId: this.options.nodeId,
      ocfRoot: this.dirs.ocfRoot,
      shimsDir: this.shimsDir,
      rscTmp: this.rscTmp,
      inherited: this.options.inheritedEnv ?? process.env,
      extra,
    });
  }

  /** Queues one operation behind any other of the same resource. A stop first cancels the resource's recurring operations. */
  run(request: OperationRequest): Promise<OperationResult> {
    if (request.task === 'stop') this.cancelAllRecurring(request.resourceId);
    return this.enqueue({ request });
  }

  /** A graph action, as the controller holds it. */
  runAction(action: ResourceAction): Promise<OperationResult> {
    return this.run(requestFromAction(action));
  }

  /**
   * Starts a recurring operation: first run after the op's start-delay (meta `start-delay`, ms),
   * then every interval, counted from the end of the previous run so runs never overlap.
   * Replaces an existing one with the same key.
   */
  startRecurring(request: OperationRequest, callback: RecurringCallback): RecurringKey {
    if (request.intervalMs <= 0) throw new RangeError(`recurring ${request.task} of ${request.resourceId} needs an interval > 0`);
    const key = { resourceId: request.resourceId, task: request.task, intervalMs: request.intervalMs };
    this.cancelRecurring(key);
    const rec: Recurring = { id: recurringId(key), request, callback, timer: undefined, last: undefined, cancelled: false, expedite: false };
    this.recurring.set(rec.id, rec);
    this.arm(rec, startDelayMs(request.meta));
    return key;
  }

  /** Stops a recurring operation; a queued run is dropped and reported as cancelled. Returns whether one existed. */
  cancelRecurring(key: RecurringKey): boolean {
    const rec = this.recurring.get(recurringId(key));
    if (!rec) return false;
    rec.cancelled = true;
    if (rec.timer) clearTimeout(rec.timer);
    this.recurring.delete(rec.id);
    const queue = this.queues.get(key.resourceId);
    if (queue) {
      const kept: Job[] = [];
      for (const job of queue.pending) {
        if (job.recurringId === rec.id) job.resolve(this.cancelledResult(job.request));
        else kept.push(job);
      }
      queue.pending = kept;
    }
    return true;
  }

  cancelAllRecurring(resourceId: string): void {
    for (const rec of [...this.recurring.values()]) {
      if (rec.request.resourceId === resourceId) this.cancelRecurring(rec.request);
    }
  }

  listRecurring(): RecurringKey[] {
    return [...this.recurring.values()].map((r) => ({ resourceId: r.request.resourceId, task: r.request.task, intervalMs: r.request.intervalMs }));
  }

  /** Cancels every recurring operation and waits for the operations already queued or running. */
  async shutdown(): Promise<void> {
    for (const rec of [...this.recurring.values()]) this.cancelRecurring(rec.request);
    await Promise.all([...this.outstanding]);
  }

  private arm(rec: Recurring, delayMs: number): void {
    rec.timer = setTimeout(() => {
      rec.timer = undefined;
      if (rec.cancelled) return;
      void this.enqueue({ request: rec.request, recurringId: rec.id }).then((result) => {
        if (rec.cancelled || result.status === 'cancelled') return;
        const changed = rec.last === undefined || rec.last.rc !== result.rc || rec.last.status !== result.status;
        rec.last = result;
        try {
          rec.callback(result, changed);
        } catch (err) {
          // The controller's bug must not stop the monitor, nor become an unhandled rejection.
          this.log('error', `${rec.request.resourceId} ${rec.request.task}_${rec.request.intervalMs}: result callback failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (rec.cancelled) return;
        this.arm(rec, rec.expedite ? 0 : rec.request.intervalMs);
        rec.expedite = false;
      });
    }, delayMs);
  }

  /**
   * A process a built-in agent started for the resource (Supervisor's program) has exited: its
   * recurring monitors run now rather than at their next interval. The monitor, not this event,
   * decides and reports the failure, so the result is the one Pacemaker would record, only
   * sooner; an exit during a stop finds no monitor left (the stop cancelled them).
   */
  private watchSupervised(resourceId: string, child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      const monitors = [...this.recurring.values()].filter((r) => r.request.resourceId === resourceId && r.request.task === 'monitor');
      if (monitors.length === 0) return;
      this.log('info', `${resourceId}: its process ${child.pid ?? '?'} exited (${signal ?? `code ${code ?? '?'}`}): monitoring now`);
      for (const rec of monitors) {
        if (rec.timer) {
          clearTimeout(rec.timer);
          this.arm(rec, 0);
        } else {
          rec.expedite = true;
        }
      }
    });
  }

  private enqueue(job: Omit<Job, 'resolve' | 'enqueuedAtMs'>): Promise<OperationResult> {
    const promise = new Promise<OperationResult>((resolve) => {
      const full: Job = { ...job, resolve, enqueuedAtMs: this.now() };
      let queue = this.queues.get(job.request.resourceId);
      if (!queue) {
        queue = { running: undefined, pending: [] };
        this.queues.set(job.request.resourceId, queue);
      }
      queue.pending.push(full);
      this.pump(job.request.resourceId);
    });
    this.outstanding.add(promise);
    void promise.finally(() => this.outstanding.delete(promise));
    return promise;
  }

  private pump(resourceId: string): void {
    const queue = this.queues.get(resourceId);
    if (!queue || queue.running) return;
    const job = queue.pending.shift();
    if (!job) {
      this.queues.delete(resourceId);
      return;
    }
    queue.running = job;
    const request = this.withStartParams(job.request);
    void this.acquireSlot()
      .then(() => this.execute(request))
      // An agent that cannot even be spawned (HA_RSCTMP not creatable ...) fails its operation, never the queue.
      .catch((err: unknown) => this.errorResult(job.request, err))
      .then((executed) => {
        const result = { ...executed, queueTimeMs: Math.max(0, executed.startedAtMs - job.enqueuedAtMs) };
        this.rememberStartParams(request, result);
        this.releaseSlot();
        queue.running = undefined;
        job.resolve(result);
        this.pump(resourceId);
      });
  }

  /**
   * A stop runs with the parameters the resource was started with, as Pacemaker's controller
   * does: the configuration may have changed them since (a new address for a VIP must not make
   * the stop look for the wrong one) or be gone entirely (a deleted resource is an orphan the
   * cluster still has to stop, and its configuration can no longer say how).
   */
  private withStartParams(request: OperationRequest): OperationRequest {
    if (request.task !== 'stop') return request;
    const known = this.startParams.get(request.resourceId);
    if (!known || formatAgentSpec(known.agent) !== formatAgentSpec(request.agent)) return request;
    return { ...request, params: known.params };
  }

  private rememberStartParams(request: OperationRequest, result: OperationResult): void {
    if (result.status !== 'done' || result.rc !== OCF.SUCCESS) return;
    if (request.task === 'stop') this.startParams.delete(request.resourceId);
    else if (PARAMS_TAKING_TASKS.has(request.task)) this.startParams.set(request.resourceId, { agent: request.agent, params: request.params });
  }

  private acquireSlot(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waitingForSlot.push(() => {
      this.active += 1;
      resolve();
    }));
  }

  private releaseSlot(): void {
    this.active -= 1;
    this.waitingForSlot.shift()?.();
  }

  /** Runs one operation now, bypassing the queue: the queue calls this, and `vigil resource op` may too. */
  async execute(request: OperationRequest): Promise<OperationResult> {
    const startedAtMs = this.now();
    const started = performance.now();
    const digest = opDigest(request.params, request.intervalMs, request.timeoutMs);
    const base = { resourceId: request.resourceId, task: request.task, intervalMs: request.intervalMs, startedAtMs, digest, queueTimeMs: 0 };
    const cmd = agentCommand(request, this.dirs);
    if (cmd.kind === 'unavailable') {
      this.log('warn', `${request.resourceId} ${request.task}: ${cmd.reason}`);
      const rc = cmd.status === 'not-installed' ? OCF.ERR_INSTALLED : OCF.ERR_UNIMPLEMENTED;
      return { ...base, rc, status: cmd.status, exitReason: cmd.reason, stdout: '', stderr: '', durationMs: 0 };
    }
    if (request.agent.agentClass === 'ocf') ensureDir(this.rscTmp);
    if (request.task === 'start' && cmd.kind === 'run' && cmd.command === 'systemctl' && this.dirs.systemdRunDir) {
      await installDropIn(this.dirs.systemdRunDir, unitName(request.agent.type));
    }
    // With the result's line, the time an operation spent on this node, for recovery timelines.
    this.log('debug', `${request.resourceId} ${request.task}${request.intervalMs ? `_${request.intervalMs}` : ''}: running`);
    const outputLimit = request.task === 'meta-data' ? 1024 * 1024 : (this.options.outputLimit ?? OUTPUT_LIMIT_BYTES);
    const outcome =
      cmd.kind === 'builtin'
        ? await runBuiltinInProcess(cmd.type, cmd.action, this.environmentFor(request), {
            timeoutMs: request.timeoutMs,
            outputLimit,
            supervise: (child) => this.watchSupervised(request.resourceId, child),
          })
        : await runProcess(
            { command: cmd.command, args: cmd.args, env: this.environmentFor(request), stdin: cmd.stdin },
            { timeoutMs: request.timeoutMs, killGraceMs: this.options.killGraceMs ?? 2000, outputLimit },
          );
    const durationMs = Math.round(performance.now() - started);
    const result = { ...base, durationMs, ...interpret(request, outcome, cmd.kind === 'run' ? cmd.parse : undefined) };
    this.log(result.status === 'done' ? 'debug' : 'warn', `${request.resourceId} ${request.task}${request.intervalMs ? `_${request.intervalMs}` : ''}: rc=${result.rc} status=${result.status}${result.exitReason ? ` (${result.exitReason})` : ''}`);
    return result;
  }

  private errorResult(request: OperationRequest, err: unknown): OperationResult {
    const reason = `could not run the agent: ${err instanceof Error ? err.message : String(err)}`;
    this.log('error', `${request.resourceId} ${request.task}: ${reason}`);
    return { ...this.cancelledResult(request), status: 'error', exitReason: reason };
  }

  private cancelledResult(request: OperationRequest): OperationResult {
    return {
      resourceId: request.resourceId,
      task: request.task,
      intervalMs: request.intervalMs,
      rc: OCF.ERR_GENERIC,
      status: 'cancelled',
      exitReason: 'cancelled',
      stdout: '',
      stderr: '',
      startedAtMs: this.now(),
      durationMs: 0,
      queueTimeMs: 0,
      digest: opDigest(request.params, request.intervalMs, request.timeoutMs),
    };
  }

  private log(level: LogLevel, message: string): void {
    this.options.log?.(level, message);
  }
}

const createdDirs = new Set<string>();
function ensureDir(dir: string): void {
  if (createdDirs.has(dir)) return;
  mkdirSync(dir, { recursive: true });
  createdDirs.add(dir);
}

/**
 * The op's start-delay: the controller passes milliseconds, as Pacemaker's CRM_meta_start_delay;
 * a duration written as in the CIB (`30s`) is accepted too. Anything unreadable means no delay.
 */
function startDelayMs(meta: Record<string, string>): number {
  const text = meta['start-delay'] ?? meta.start_delay;
  if (text === undefined) return 0;
  if (/^\d+$/.test(text.trim())) return Number(text);
  try {
    return parseDurationMs(text);
  } catch {
    return 0;
  }
}

/** The last `ocf-exit-reason:` line an agent wrote on stderr. */
export function exitReasonFrom(stderr: string): string {
  let reason = '';
  for (const line of stderr.split('\n')) {
    const at = line.indexOf('ocf-exit-reason:');
    if (at >= 0) reason = line.slice(at + 'ocf-exit-reason:'.length).trim();
  }
  return reason;
}

type Interpreted = Pick<OperationResult, 'rc' | 'status' | 'exitReason' | 'stdout' | 'stderr' | 'rawExit'>;

function interpret(request: OperationRequest, outcome: ProcessOutcome, parse: 'systemd-state' | undefined): Interpreted {
  const { stdout, stderr } = outcome;
  const reason = exitReasonFrom(stderr);
  switch (outcome.kind) {
    case 'timed-out':
      return { rc: OCF.ERR_GENERIC, status: 'timed-out', exitReason: reason || `timed out after ${request.timeoutMs}ms`, stdout, stderr };
    case 'spawn-failed':
      return { rc: OCF.ERR_GENERIC, status: 'error', exitReason: `could not run the agent: ${outcome.error}`, stdout, stderr };
    case 'signalled':
      return { rc: OCF.ERR_GENERIC, status: 'error', rawExit: { signal: outcome.signal }, exitReason: reason || `agent killed by ${outcome.signal}`, stdout, stderr };
    case 'exited': {
      if (parse === 'systemd-state' && outcome.code === 0) {
        const rc = systemdStateRc(stdout);
        return { rc, status: 'done', rawExit: { code: outcome.code }, exitReason: rc === 1 ? `unit is ${stdout.trim()}` : '', stdout, stderr };
      }
      const mapped = mapExitCode(request.agent.agentClass, request.task, outcome.code);
      return { rc: mapped.rc, status: mapped.status, rawExit: { code: outcome.code }, exitReason: reason || mapped.reason || '', stdout, stderr };
    }
  }
}

/** The executor's request for a transition-graph action. */
export function requestFromAction(action: ResourceAction): OperationRequest {
  const r = action.resource;
  return {
    resourceId: r.id,
    agent: agentSpecFrom(r.agentClass, r.provider, r.type),
    params: r.params,
    meta: r.meta,
    task: action.task,
    intervalMs: action.intervalMs,
    timeoutMs: action.timeoutMs,
  };
}
