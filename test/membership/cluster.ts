import { deriveTiming, tickIntervalMs, type MembershipEvent, type QuorumOptions, type Timing, type View } from '../../src/membership/index.js';
import { MembershipActor } from '../../src/sim/membership-actor.js';
import { Prng } from '../../src/sim/prng.js';
import { Simulation } from '../../src/sim/simulation.js';
import type { MembershipMessage } from '../../src/membership/index.js';

export interface TestClusterOptions {
  names?: string[];
  ids?: number[];
  links?: number;
  budgetMs?: number;
  /** Timers to use instead of those derived from the budget (as a configuration that pins one). */
  timing?: Timing;
  quorum?: Partial<QuorumOptions>;
  /** Nodes not started at time 0. */
  down?: string[];
}

/** A lossless simulated cluster for scenario tests, with every event recorded per node. */
export class TestCluster {
  readonly sim: Simulation<MembershipActor, MembershipMessage>;
  readonly timing: Timing;
  readonly events = new Map<string, { atMs: number; event: MembershipEvent }[]>();

  constructor(opts: TestClusterOptions = {}) {
    const names = opts.names ?? ['a', 'b', 'c'];
    const ids = opts.ids ?? names.map((_, i) => i + 1);
    this.timing = opts.timing ?? deriveTiming(opts.budgetMs ?? 1000);
    const nodes = names.map((name, i) => ({ name, id: ids[i], votes: 1 }));
    const quorum: QuorumOptions = { twoNode: false, lastManStanding: false, ...opts.quorum };
    for (const n of names) this.events.set(n, []);
    const disks = new Map(names.map((n) => [n, { lastViewId: 0 }]));
    this.sim = new Simulation<MembershipActor, MembershipMessage>(
      names,
      opts.links ?? 1,
      tickIntervalMs(this.timing),
      (self, incarnation, nowMs) => new MembershipActor({ self, nodes, timing: this.timing, quorum, incarnation }, nowMs, disks.get(self)),
      new Prng(42),
      (sim) => {
        for (const node of sim.nodes.values()) {
          if (!node.actor) continue;
          for (const event of node.actor.drainEvents()) this.events.get(node.name)?.push({ atMs: sim.nowMs, event });
        }
      },
    );
    for (const n of names) if (!opts.down?.includes(n)) this.sim.start(n);
  }

  view(name: string): View {
    const actor = this.sim.nodes.get(name)?.actor;
    if (!actor) throw new Error(`${name} is not running`);
    return actor.machine.view();
  }

  run(forMs: number): void {
    this.sim.runUntil(this.sim.nowMs + forMs);
  }

  /** Cuts (or restores) both directions between two nodes on the given links (default: all). */
  cut(a: string, b: string, links: number[] = [0], cut = true): void {
    for (const l of links) {
      this.sim.setCut(a, b, l, cut);
      this.sim.setCut(b, a, l, cut);
    }
  }

  eventsOf(name: string, type: MembershipEvent['type'], sinceMs = 0): { atMs: number; event: MembershipEvent }[] {
    return (this.events.get(name) ?? []).filter((e) => e.event.type === type && e.atMs >= sinceMs);
  }

  /** Running nodes grouped by the view they hold. */
  partitions(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const node of this.sim.nodes.values()) {
      if (!node.actor) continue;
      const v = node.actor.machine.view();
      const key = `${v.id}@${v.coordinator}`;
      groups.set(key, [...(groups.get(key) ?? []), node.name]);
    }
    return groups;
  }
}
