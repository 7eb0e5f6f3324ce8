import { Membership } from '../membership/index.js';
import type { MembershipConfig, MembershipEvent, MembershipMessage, Ready } from '../membership/index.js';
import type { Actor, Outgoing } from './simulation.js';

/** The membership state machine as a simulated node; keeps the events for the checkers to read. */
export class MembershipActor implements Actor<MembershipMessage> {
  readonly machine: Membership;
  /** Events since the checkers last drained them. */
  events: MembershipEvent[] = [];

  /**
   * `disk` is what survives a crash: the view id the machine asked to persist, recorded before its
   * messages leave (the simulator carries out a Ready atomically, as the contract requires).
   */
  constructor(
    config: MembershipConfig,
    nowMs: number,
    private readonly disk: { lastViewId: number } = { lastViewId: 0 },
  ) {
    this.machine = new Membership({ ...config, lastViewId: disk.lastViewId }, nowMs);
  }

  tick(nowMs: number): Outgoing<MembershipMessage>[] {
    return this.take(this.machine.tick(nowMs));
  }

  receive(from: string, msg: MembershipMessage, nowMs: number, link: number): Outgoing<MembershipMessage>[] {
    return this.take(this.machine.receive(from, msg, nowMs, link));
  }

  probeAnswered(from: string, sentAtMs: number, nowMs: number): Outgoing<MembershipMessage>[] {
    return this.take(this.machine.probeAnswered(from, sentAtMs, nowMs));
  }

  nextTickMs(): number {
    return this.machine.nextDeadlineMs();
  }

  drainEvents(): MembershipEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  private take(ready: Ready): Outgoing<MembershipMessage>[] {
    if (ready.persistViewId !== undefined) this.disk.lastViewId = ready.persistViewId;
    if (ready.events.length > 0) this.events.push(...ready.events);
    const probes = (ready.probe ?? []).map((to): Outgoing<MembershipMessage> => ({ to, via: 'probe' }));
    return probes.length === 0 ? ready.send : [...ready.send, ...probes];
  }
}
