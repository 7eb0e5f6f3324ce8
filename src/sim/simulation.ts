import { Heap } from './heap.js';
import type { Prng } from './prng.js';

/**
 * A message the actor wants sent; 'all' means every other node, on every link. `via` picks the
 * channel: a datagram (the default: one packet per link, lost, duplicated and reordered as the
 * network does), the stream (reliable and ordered per pair while a link works both ways, lost when
 * the path is cut or the receiver restarts: a TCP connection), or the node's own disk (`to` is the
 * node itself: the message comes back when the write is done, in order, unless the node crashed).
 * A probe carries no message: it asks whether `to`'s host still completes connections to its
 * daemon's port, which it does while the daemon runs, stalled or not, and the path works.
 */
export type Outgoing<M> = { to: string | 'all'; msg: M; via?: 'datagram' | 'stream' | 'disk' } | { to: string; via: 'probe' };

/**
 * A node's state machine as the simulator drives it. Any pure, tick-driven machine fits (the
 * membership today, CIB replication later): wrap it so it returns what it wants sent.
 */
export interface Actor<M> {
  tick(nowMs: number): Outgoing<M>[];
  receive(from: string, msg: M, nowMs: number, link: number): Outgoing<M>[];
  /**
   * When the machine next needs a tick. With it, the node sleeps until then (as vigild does),
   * woken earlier when a packet brings work forward; without it, it ticks at a fixed interval.
   */
  nextTickMs?(): number;
  /** A stream message could not be delivered (path cut, receiver down or restarted): the connection failed. */
  undeliverable?(to: string, msg: M, nowMs: number): Outgoing<M>[];
  /** A probe of `from` sent at `sentAtMs` was answered. */
  probeAnswered?(from: string, sentAtMs: number, nowMs: number): Outgoing<M>[];
}

/** Builds a node's actor at boot; the incarnation grows with each restart ("the disk keeps it"). */
export type ActorFactory<A> = (name: string, incarnation: number, nowMs: number) => A;

export interface NetworkConditions {
  lossRate: number;
  duplicateRate: number;
  delayMinMs: number;
  delayMaxMs: number;
}

export interface SimNode<A> {
  name: string;
  actor: A | null;
  incarnation: number;
  /** Until then the node's loop runs nothing: ticks and packets wait, as under SIGSTOP. */
  stalledUntilMs: number;
  /** Only the tick event carrying the current token is live; a rescheduled timer replaces it. */
  tickToken: number;
  tickDueMs: number;
}

type SimEvent =
  | { kind: 'tick'; atMs: number; seq: number; node: string; incarnation: number; token: number }
  | { kind: 'deliver'; atMs: number; seq: number; from: string; to: string; link: number; payload: string; ordered?: Ordered }
  | { kind: 'bounce'; atMs: number; seq: number; from: string; to: string; payload: string; incarnation: number }
  | { kind: 'answer'; atMs: number; seq: number; from: string; to: string; sentAtMs: number; incarnation: number };

/** An ordered message remembers both ends' incarnations: a restart on either side breaks the connection. */
interface Ordered {
  via: 'stream' | 'disk';
  incarnation: number;
  senderIncarnation: number;
}

/** Keeps packets to one datagram: larger ones would fragment or be dropped on a real network. */
export const MAX_DATAGRAM_BYTES = 1200;

export class SimulationError extends Error {
  override name = 'SimulationError';
}

/**
 * A deterministic cluster: nodes' actors, a clock, and a network that loses, delays, duplicates and
 * reorders packets and can cut each direction of each link separately. All randomness comes from
 * the one Prng; events at equal times run in a fixed order (ticks before packets, then by sequence).
 */
export class Simulation<A extends Actor<M>, M> {
  readonly nodes = new Map<string, SimNode<A>>();
  nowMs = 0;
  steps = 0;
  conditions: NetworkConditions = { lossRate: 0, duplicateRate: 0, delayMinMs: 0.1, delayMaxMs: 1 };
  /** How long a durable write (write, fsync, rename) takes. */
  diskDelayMs = { min: 0.5, max: 5 };
  private readonly queue = new Heap<SimEvent>((a, b) =>
    a.atMs !== b.atMs ? a.atMs < b.atMs : a.kind !== b.kind ? a.kind === 'tick' : a.seq < b.seq,
  );
  private seq = 0;
  /** Cut directions: `${from}>${to}#${link}`. */
  private readonly cut = new Set<string>();
  /** When the last ordered message on a stream or disk queue arrives: the next may not overtake it. */
  private readonly orderedDueMs = new Map<string, number>();

  constructor(
    names: string[],
    private readonly links: number,
    private readonly tickMs: number,
    private readonly factory: ActorFactory<A>,
    private readonly rng: Prng,
    private readonly onStep: (sim: Simulation<A, M>) => void = () => undefined,
  ) {
    for (const name of names) this.nodes.set(name, { name, actor: null, incarnation: 0, stalledUntilMs: 0, tickToken: 0, tickDueMs: 0 });
  }

  start(name: string): void {
    const node = this.node(name);
    if (node.actor) throw new SimulationError(`sim bug: ${name} is already running`);
    node.incarnation += 1;
    node.actor = this.factory(name, node.incarnation, this.nowMs);
    this.scheduleTick(node, this.nowMs);
  }

  crash(name: string): void {
    this.node(name).actor = null;
  }

  /**
   * Runs `work` on a node's actor now, as a step (a local client's request): what it returns is
   * sent, and the node's next tick is brought forward if the work needs it. False if the node is down.
   */
  inject(name: string, work: (actor: A, nowMs: number) => Outgoing<M>[]): boolean {
    const node = this.node(name);
    if (!node.actor) return false;
    this.send(name, work(node.actor, this.nowMs));
    this.wakeIfDue(node, node.actor);
    this.steps += 1;
    this.onStep(this);
    return true;
  }

  stall(name: string, untilMs: number): void {
    const node = this.node(name);
    node.stalledUntilMs = Math.max(node.stalledUntilMs, untilMs);
  }

  isUp(name: string): boolean {
    return this.node(name).actor !== null;
  }

  setCut(from: string, to: string, link: number, cut: boolean): void {
    const key = `${from}>${to}#${link}`;
    if (cut) this.cut.add(key);
    else this.cut.delete(key);
  }

  healLinks(): void {
    this.cut.clear();
  }

  /** Runs events up to and including `untilMs`, calling the step hook after each. */
  runUntil(untilMs: number): void {
    for (;;) {
      const next = this.queue.pop();
      if (!next) break;
      if (next.atMs > untilMs) {
        this.queue.push(next);
        break;
      }
      this.nowMs = next.atMs;
      if (this.step(next)) {
        this.steps += 1;
        this.onStep(this);
      }
    }
    this.nowMs = untilMs;
  }

  private step(ev: SimEvent): boolean {
    if (ev.kind === 'bounce') return this.bounce(ev);
    if (ev.kind === 'answer') return this.answer(ev);
    const name = ev.kind === 'tick' ? ev.node : ev.to;
    const node = this.node(name);
    if (ev.kind === 'deliver' && ev.ordered?.via === 'stream') {
      const broken = !node.actor || ev.ordered.incarnation !== node.incarnation || !this.pathWorks(ev.from, ev.to);
      if (broken) {
        this.bounceLater(ev.from, ev.to, ev.payload, ev.ordered.senderIncarnation, this.nowMs);
        return false;
      }
    }
    if (!node.actor || (ev.kind === 'tick' && (ev.incarnation !== node.incarnation || ev.token !== node.tickToken))) return false;
    // A crash forgets the writes in flight.
    if (ev.kind === 'deliver' && ev.ordered?.via === 'disk' && ev.ordered.incarnation !== node.incarnation) return false;
    if (node.stalledUntilMs > this.nowMs) {
      // The loop is frozen: everything waits for it to resume, the timer first as in Node's loop.
      this.schedule({ ...ev, atMs: node.stalledUntilMs });
      return false;
    }
    const actor = node.actor;
    if (ev.kind === 'tick') {
      this.send(name, actor.tick(this.nowMs));
      // Timers fire late, never early.
      const jitterMs = this.rng.float() * this.tickMs * 0.1;
      this.scheduleTick(node, (actor.nextTickMs ? actor.nextTickMs() : this.nowMs + this.tickMs) + jitterMs);
    } else {
      this.send(name, actor.receive(ev.from, JSON.parse(ev.payload) as M, this.nowMs, ev.link));
      this.wakeIfDue(node, actor);
    }
    return true;
  }

  /** The sender learns that its connection failed, unless it restarted meanwhile. */
  private bounce(ev: Extract<SimEvent, { kind: 'bounce' }>): boolean {
    return this.callBack(ev, ev.from, ev.incarnation, (actor) => actor.undeliverable?.(ev.to, JSON.parse(ev.payload) as M, this.nowMs));
  }

  /** The prober (`to`) learns that `from`'s host answered, unless it restarted meanwhile. */
  private answer(ev: Extract<SimEvent, { kind: 'answer' }>): boolean {
    return this.callBack(ev, ev.to, ev.incarnation, (actor) => actor.probeAnswered?.(ev.from, ev.sentAtMs, this.nowMs));
  }

  /**
   * Tells node `name` how something it started ended, if it is still the life that started it and
   * its actor listens (`call` returns undefined when not); a frozen loop hears it when it resumes.
   */
  private callBack(ev: SimEvent, name: string, incarnation: number, call: (actor: A) => Outgoing<M>[] | undefined): boolean {
    const node = this.node(name);
    const actor = node.actor;
    if (!actor || node.incarnation !== incarnation) return false;
    if (node.stalledUntilMs > this.nowMs) {
      this.schedule({ ...ev, atMs: node.stalledUntilMs });
      return false;
    }
    const out = call(actor);
    if (out === undefined) return false;
    this.send(name, out);
    this.wakeIfDue(node, actor);
    return true;
  }

  /**
   * A probe is answered by the target's kernel after a round trip when its daemon is running
   * (stalled or not) and a link works both ways; a lost SYN or SYN-ACK costs a retransmission
   * later than any prober waits for, so it is no answer. A crashed daemon's host refuses.
   */
  private probe(from: string, to: string): void {
    const c = this.conditions;
    if (!this.node(to).actor || !this.pathWorks(from, to) || this.rng.chance(c.lossRate) || this.rng.chance(c.lossRate)) return;
    const rttMs = 2 * (c.delayMinMs + this.rng.float() * (c.delayMaxMs - c.delayMinMs));
    this.schedule({ kind: 'answer', atMs: this.nowMs + rttMs, seq: 0, from: to, to: from, sentAtMs: this.nowMs, incarnation: this.node(from).incarnation });
  }

  /** A failed connection is noticed after a few round trips (a reset or a connect timeout). */
  private bounceLater(from: string, to: string, payload: string, incarnation: number, fromMs: number): void {
    this.schedule({ kind: 'bounce', atMs: fromMs + 3 * this.conditions.delayMaxMs, seq: 0, from, to, payload, incarnation });
  }

  private wakeIfDue(node: SimNode<A>, actor: A): void {
    if (!actor.nextTickMs) return;
    const due = actor.nextTickMs();
    if (due < node.tickDueMs) this.scheduleTick(node, due + this.rng.float() * this.tickMs * 0.1);
  }

  /** A connection needs some link working in each direction. */
  private pathWorks(a: string, b: string): boolean {
    const open = (from: string, to: string): boolean => {
      for (let link = 0; link < this.links; link++) if (!this.cut.has(`${from}>${to}#${link}`)) return true;
      return false;
    };
    return open(a, b) && open(b, a);
  }

  private scheduleTick(node: SimNode<A>, atMs: number): void {
    node.tickToken += 1;
    node.tickDueMs = Math.max(atMs, this.nowMs);
    this.schedule({ kind: 'tick', atMs: node.tickDueMs, seq: 0, node: node.name, incarnation: node.incarnation, token: node.tickToken });
  }

  private send(from: string, out: Outgoing<M>[]): void {
    for (const o of out) {
      if (o.via === 'probe') {
        this.probe(from, o.to);
        continue;
      }
      const { to, msg, via } = o;
      if (via === 'stream' || via === 'disk') {
        this.sendOrdered(from, to === 'all' ? [...this.nodes.keys()].filter((n) => n !== from) : [to], via, JSON.stringify(msg));
        continue;
      }
      const payload = JSON.stringify(msg);
      if (payload.length > MAX_DATAGRAM_BYTES) {
        throw new SimulationError(`${from} sent a ${payload.length}-byte message, over one datagram: ${payload.slice(0, 80)}`);
      }
      const targets = to === 'all' ? [...this.nodes.keys()].filter((n) => n !== from) : [to];
      for (const target of targets) {
        for (let link = 0; link < this.links; link++) this.transmit(from, target, link, payload);
      }
    }
  }

  private sendOrdered(from: string, targets: string[], via: 'stream' | 'disk', payload: string): void {
    const senderIncarnation = this.node(from).incarnation;
    for (const to of targets) {
      if (via === 'stream' && !this.pathWorks(from, to)) {
        this.bounceLater(from, to, payload, senderIncarnation, this.nowMs);
        continue;
      }
      const range = via === 'disk' ? this.diskDelayMs : { min: this.conditions.delayMinMs, max: this.conditions.delayMaxMs };
      // Lost segments are sent again: loss delays a stream, it does not lose from it.
      const retransmitMs = via === 'stream' && this.rng.chance(this.conditions.lossRate) ? 3 * range.max : 0;
      const key = `${from}>${to}:${via}`;
      const atMs = Math.max(this.orderedDueMs.get(key) ?? 0, this.nowMs + range.min + this.rng.float() * (range.max - range.min) + retransmitMs);
      this.orderedDueMs.set(key, atMs);
      const incarnation = this.node(to).incarnation;
      this.schedule({ kind: 'deliver', atMs, seq: 0, from, to, link: 0, payload, ordered: { incarnation, via, senderIncarnation } });
    }
  }

  private transmit(from: string, to: string, link: number, payload: string): void {
    if (this.cut.has(`${from}>${to}#${link}`)) return;
    const c = this.conditions;
    const copies = this.rng.chance(c.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.rng.chance(c.lossRate)) continue;
      const delayMs = c.delayMinMs + this.rng.float() * (c.delayMaxMs - c.delayMinMs);
      this.schedule({ kind: 'deliver', atMs: this.nowMs + delayMs, seq: 0, from, to, link, payload });
    }
  }

  private schedule(ev: SimEvent): void {
    this.seq += 1;
    this.queue.push({ ...ev, seq: this.seq });
  }

  private node(name: string): SimNode<A> {
    const node = this.nodes.get(name);
    if (!node) throw new SimulationError(`sim bug: no node ${name}`);
    return node;
  }
}
