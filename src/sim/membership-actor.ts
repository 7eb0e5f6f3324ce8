import { Membership } from '../membership/index.js';
import type { MembershipConfig, MembershipEvent, MembershipMessage, Ready } from '../membership/index.js';
import type { Actor, Outgoing } from './simulation.js';

/** The membership state machine as a simulated node; keeps the events for the checkers to read. */
export class MembershipActor implements Actor<MembershipMessage> {
  readonly machine: Membership;
  /** Events since the checkers last drained them. */
  events: MembershipEvent[] = [];

  constructor(config: MembershipConfig, nowMs: number) {
    this.machine = new Membership(config, nowMs);
  }

  tick(nowMs: number): Outgoing<MembershipMessage>[] {
    return this.take(this.machine.tick(nowMs));
  }

  receive(from: string, msg: MembershipMessage, nowMs: number, link: number): Outgoing<MembershipMessage>[] {
    return this.take(this.machine.receive(from, msg, nowMs, link));
  }

  drainEvents(): MembershipEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  private take(ready: Ready): Outgoing<MembershipMessage>[] {
    if (ready.events.length > 0) this.events.push(...ready.events);
    return ready.send;
  }
}
