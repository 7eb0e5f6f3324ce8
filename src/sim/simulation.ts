import { Heap } from './heap.js';
import type { Prng } from './prng.js';

/** A message the actor wants sent; 'all' means every other node, on every link. */
export interface Outgoing<M> {
  to: string | 'all';
  msg: M;
}

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
  | { kind: 'deliver'; atMs: number; seq: number; from: string; to: string; link: number; payload: string };

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
  private readonly queue = new Heap<SimEvent>((a, b) =>
    a.atMs !== b.atMs ? a.atMs < b.atMs : a.kind !== b.kind ? a.kind === 'tick' : a.seq < b.seq,
  );
  private seq = 0;
  /** Cut directions: `${from}>${to}#${link}`. */
  private readonly cut = new Set<string>();

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
    const name = ev.kind === 'tick' ? ev.node : ev.to;
    const node = this.node(name);
    if (!node.actor || (ev.kind === 'tick' && (ev.incarnation !== node.incarnation || ev.token !== node.tickToken))) return false;
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
      if (actor.nextTickMs) {
        const due = actor.nextTickMs();
        if (due < node.tickDueMs) this.scheduleTick(node, due + this.rng.float() * this.tickMs * 0.1);
      }
    }
    return true;
  }

  private scheduleTick(node: SimNode<A>, atMs: number): void {
    node.tickToken += 1;
    node.tickDueMs = Math.max(atMs, this.nowMs);
    this.schedule({ kind: 'tick', atMs: node.tickDueMs, seq: 0, node: node.name, incarnation: node.incarnation, token: node.tickToken });
  }

  private send(from: string, out: Outgoing<M>[]): void {
    for (const { to, msg } of out) {
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
