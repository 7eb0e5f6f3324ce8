import type { XmlElement } from '../../cib/xml.js';
import type { Executor } from '../../executor/index.js';
import { executorFenceRunner } from '../../fencing/io/executor-runner.js';
import { Fencer } from '../../fencing/io/fencer.js';
import { Controller, type ControllerEvent, type MembershipView, type Ready } from '../controller.js';
import type { StatusUpdate } from '../history.js';
import type { ControllerMessage } from './messages.js';
import { NodeAgent } from './node-agent.js';
import { Planner } from './planner.js';

/** Results kept for a DC to come, at most (a node runs few operations while it has no DC). */
const MAX_UNDELIVERED = 1000;

/**
 * What the controller needs from the node it runs on: vigild provides it in-process
 * (src/daemon/controller-port.ts); tests can provide their own.
 */
export interface ClusterPort {
  readonly self: string;
  onCib(cb: (cib: XmlElement) => void): void;
  onMembership(cb: (view: MembershipView) => void): void;
  /**
   * Applies status updates to the live CIB (committed through the DC). The port delivers no CIB
   * that lacks writes it was given, and never asks for one to be retried (a retry could count a
   * failure twice).
   */
  writeStatus(updates: StatusUpdate[]): Promise<void>;
  /** Rejects when the message could not be handed to the node's controller. */
  send(node: string, msg: ControllerMessage): Promise<void>;
  onMessage(cb: (from: string, msg: ControllerMessage) => void): void;
  /** A node asked us to shut down cleanly (do_shutdown). */
  requestShutdown(): void;
}

export interface ServiceOptions {
  port: ClusterPort;
  executor: Executor;
  stateDir: string;
  /** Identifies this controller run in transition keys. */
  uuid: string;
  /** This node's cluster addresses (the fencer will not fence from a node whose links are all down). */
  linkAddresses?: string[];
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * The controller's I/O shell: feeds the pure Controller with CIB, membership, results and the
 * clock, and carries out what it returns. Every node runs one (its NodeAgent runs what the DC
 * sends); only the DC's Controller plans and dispatches.
 */
export class ControllerService {
  private readonly controller: Controller;
  private readonly planner: Planner;
  private readonly agent: NodeAgent;
  private readonly fencer: Fencer;
  private timer: NodeJS.Timeout | null = null;
  private cib: XmlElement | null = null;
  private view: MembershipView = { members: [], dc: null, quorate: false };
  private writeQueue: StatusUpdate[] = [];
  private undelivered: ControllerMessage[] = [];
  private writing = false;
  private stopped = false;

  constructor(private readonly o: ServiceOptions) {
    this.controller = new Controller({ self: o.port.self, uuid: o.uuid });
    this.planner = new Planner((answer) => {
      if ('error' in answer) this.feed({ type: 'plan-failed', request: answer.request, error: answer.error });
      else {
        for (const w of answer.warnings) o.log('warn', `scheduler: ${w}`);
        for (const line of answer.summary) o.log('info', `plan ${answer.request}: ${line.trim()}`);
        this.feed({ type: 'planned', request: answer.request, graph: answer.graph });
      }
    });
    this.agent = new NodeAgent(o.executor, (msg) => this.toDc(msg), (level, msg) => o.log(level, msg));
    this.fencer = new Fencer(o.port.self, o.stateDir, (level, msg) => o.log(level, msg), executorFenceRunner(o.executor), o.linkAddresses ?? []);
  }

  start(): void {
    const { port } = this.o;
    this.planner.warm();
    port.onCib((cib) => {
      this.cib = cib;
      this.feed({ type: 'cib', cib });
    });
    port.onMembership((view) => {
      const previousDc = this.view.dc;
      this.view = view;
      this.feed({ type: 'membership', view });
      if (view.dc !== null && view.dc !== previousDc) this.handOver();
    });
    port.onMessage((from, msg) => this.onMessage(from, msg));
  }

  status(): { dc: boolean; transition: ReturnType<Controller['current']>; finished: ReturnType<Controller['finished']> } {
    return { dc: this.controller.isDc, transition: this.controller.current(), finished: this.controller.finished() };
  }

  private onMessage(from: string, msg: ControllerMessage): void {
    switch (msg.t) {
      case 'op':
        if (msg.action.node !== this.o.port.self) {
          this.o.log('warn', `${from} sent an operation for ${msg.action.node}: ignored`);
          return;
        }
        this.agent.run(msg.transition, msg.origin, msg.action);
        return;
      case 'op-result':
        this.feed({ type: 'operation-result', transition: msg.transition, action: msg.action, outcome: msg.outcome, ...(msg.about && msg.origin ? { about: msg.about, origin: msg.origin } : {}) });
        return;
      case 'op-pending':
        this.feed({ type: 'operation-pending', node: from, transition: msg.transition, origin: msg.origin, action: msg.about });
        return;
      case 'monitor-result':
        this.feed({ type: 'monitor-result', node: from, resource: msg.resource, intervalMs: msg.intervalMs, outcome: msg.outcome });
        return;
      case 'shutdown':
        void this.o.port.send(from, { t: 'shutdown-ack', transition: msg.transition, action: msg.action }).catch(() => undefined);
        this.o.port.requestShutdown();
        return;
      case 'shutdown-ack':
        this.feed({ type: 'cluster-result', transition: msg.transition, action: msg.action, ok: true, detail: `${from} is shutting down` });
        return;
    }
  }

  /**
   * Results go to whoever is DC now; our own are handed over without the network. One that cannot
   * be delivered (no DC, or the DC died) waits for the next DC: it is the only record of what ran.
   */
  private toDc(msg: ControllerMessage): void {
    const dc = this.view.dc;
    if (dc === null) {
      this.keepUndelivered(msg);
      return;
    }
    if (dc === this.o.port.self) this.onMessage(dc, msg);
    else this.o.port.send(dc, msg).catch(() => this.keepUndelivered(msg));
  }

  private keepUndelivered(msg: ControllerMessage): void {
    if (this.undelivered.length >= MAX_UNDELIVERED) {
      this.o.log('warn', `${MAX_UNDELIVERED} results wait for a DC: dropping the oldest`);
      this.undelivered.shift();
    }
    this.undelivered.push(msg);
  }

  /**
   * A new DC knows only what the CIB says. Tell it what still runs here at an earlier DC's
   * request (so it does not start the same thing elsewhere meanwhile), and the results no DC got.
   */
  private handOver(): void {
    for (const op of this.agent.inFlight()) this.toDc({ t: 'op-pending', transition: op.transition, origin: op.origin, about: op.action });
    const waiting = this.undelivered;
    this.undelivered = [];
    for (const msg of waiting) this.toDc(msg);
  }

  private feed(event: ControllerEvent): void {
    if (this.stopped) return;
    this.carryOut(this.controller.handle(event, Date.now()));
  }

  private carryOut(ready: Ready): void {
    for (const line of ready.log) this.o.log(line.level === 'notice' ? 'info' : line.level === 'warning' ? 'warn' : line.level, line.msg);
    if (ready.status.length) this.queueWrite(ready.status);
    if (ready.plan) this.planner.plan(ready.plan.request, ready.plan.cib, ready.plan.now);
    for (const d of ready.dispatch) {
      const msg: ControllerMessage = { t: 'op', transition: d.transition, origin: this.o.uuid, action: d.action };
      if (d.action.node === this.o.port.self) this.onMessage(this.o.port.self, msg);
      else {
        this.o.port.send(d.action.node, msg).catch((err: unknown) =>
          this.feed({ type: 'dispatch-failed', transition: d.transition, action: d.action.id, detail: `${d.action.node}: ${(err as Error).message}` }),
        );
      }
    }
    for (const f of ready.fence) {
      const cib = this.cib;
      if (!cib) continue;
      this.fencer.fence(cib, f.action.node, f.action.fenceAction).then(
        (r) => this.feed({ type: 'fence-result', transition: f.transition, action: f.action.id, ok: r.ok, detail: r.detail }),
        (err: unknown) => this.feed({ type: 'fence-result', transition: f.transition, action: f.action.id, ok: false, detail: String(err) }),
      );
    }
    for (const c of ready.cluster) {
      const msg: ControllerMessage = { t: 'shutdown', transition: c.transition, action: c.action.id };
      if (c.action.node === this.o.port.self) this.onMessage(this.o.port.self, msg);
      else {
        this.o.port.send(c.action.node, msg).catch((err: unknown) =>
          this.feed({ type: 'dispatch-failed', transition: c.transition, action: c.action.id, detail: `${c.action.node}: ${(err as Error).message}` }),
        );
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.controller.nextWakeMs();
    if (wake === null || this.stopped) return;
    // Long timers are re-armed in steps so a clock jump is noticed within a minute.
    const delay = Math.min(Math.max(0, wake - Date.now()), 60_000);
    this.timer = setTimeout(() => this.feed({ type: 'tick' }), delay);
  }

  /**
   * One write at a time, batching what queued meanwhile: the order of updates is kept, and a burst
   * of results costs one commit (one fsync per node), not one per result. The transition never
   * waits for these writes: the controller already applied them to its own view.
   */
  private queueWrite(updates: StatusUpdate[]): void {
    this.writeQueue.push(...updates);
    if (!this.writing) void this.flush();
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.writeQueue.length > 0 && !this.stopped) {
      const batch = this.writeQueue;
      this.writeQueue = [];
      await this.o.port.writeStatus(batch).catch((err: unknown) => this.o.log('error', `status write failed (${batch.length} update(s)): ${(err as Error).message}`));
    }
    this.writing = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.planner.close();
    await this.agent.shutdown();
  }
}
