import { describe, expect, it } from 'vitest';
import { deriveTiming, tickIntervalMs } from '../../src/membership/index.js';
import { MembershipChecker, type MembershipSim } from '../../src/sim/membership-checker.js';
import { NodeActor } from '../../src/sim/node-actor.js';
import { Prng } from '../../src/sim/prng.js';
import { Simulation } from '../../src/sim/simulation.js';

/** The checkers must catch what they claim to: feed them a cluster that breaks the rules. */
describe('membership checker', () => {
  const timing = deriveTiming(1000);
  const nodes = ['a', 'b', 'c'].map((name, i) => ({ name, id: i + 1, votes: 1 }));
  const quorum = { twoNode: false, lastManStanding: false };

  function cluster(checker: MembershipChecker): MembershipSim {
    const sim: MembershipSim = new Simulation(
      ['a', 'b', 'c'],
      1,
      tickIntervalMs(timing),
      (self, incarnation, nowMs) => new NodeActor({ self, nodes, timing, quorum, incarnation }, nodes, nowMs, { lastViewId: 0, cib: null, version: null }, 2000),
      new Prng(1),
      (s) => checker.afterStep(s),
    );
    for (const n of ['a', 'b', 'c']) sim.start(n);
    return sim;
  }

  it('passes a healthy cluster', () => {
    const checker = new MembershipChecker({ nodes, timing, quorum });
    const sim = cluster(checker);
    sim.runUntil(1000);
    expect(checker.expectConverged(sim, 'healthy', true)).toBe(true);
    expect(checker.violations).toEqual([]);
  });

  it('reports a partition that has not converged', () => {
    const checker = new MembershipChecker({ nodes, timing, quorum });
    const sim = cluster(checker);
    sim.runUntil(1000);
    for (const n of ['a', 'b']) {
      sim.setCut(n, 'c', 0, true);
      sim.setCut('c', n, 0, true);
    }
    sim.runUntil(3000);
    expect(checker.expectConverged(sim, 'split', true)).toBe(false);
    expect(checker.violations.map((v) => v.rule)).toEqual(['converge']);
  });

  it('reports a membership change while the network is declared quiet', () => {
    const checker = new MembershipChecker({ nodes, timing, quorum });
    const sim = cluster(checker);
    sim.runUntil(1000);
    checker.quiet = true;
    sim.crash('c');
    sim.runUntil(3000);
    expect(checker.violations.map((v) => v.rule)).toContain('steady');
  });
});
