import { describe, expect, it } from 'vitest';
import { deriveTiming, tickIntervalMs } from '../../src/membership/index.js';
import { MembershipChecker, type MembershipSim } from '../../src/sim/membership-checker.js';
import type { CibVersion } from '../../src/cib/index.js';
import { parseXml, serializeXml, type XmlElement } from '../../src/cib/xml.js';
import type { CibChange } from '../../src/daemon/cib-messages.js';
import { CibChecker, type ClusterSim } from '../../src/sim/cib-checker.js';
import { NodeActor, type NodeDisk } from '../../src/sim/node-actor.js';
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

describe('CIB checker', () => {
  const timing = deriveTiming(1000);
  const nodes = ['a', 'b', 'c'].map((name, i) => ({ name, id: i + 1, votes: 1 }));
  const quorum = { twoNode: false, lastManStanding: false };
  const resources = '<resources><primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/></resources>';

  function cluster() {
    const disks = new Map<string, NodeDisk>(['a', 'b', 'c'].map((n) => [n, { lastViewId: 0, cib: null, version: null }]));
    const checker = new CibChecker(disks);
    const sim: ClusterSim = new Simulation(
      ['a', 'b', 'c'],
      1,
      tickIntervalMs(timing),
      (self, incarnation, nowMs) => new NodeActor({ self, nodes, timing, quorum, incarnation }, nodes, nowMs, disks.get(self) as NodeDisk, 2000),
      new Prng(2),
      (s) => checker.afterStep(s),
    );
    for (const n of ['a', 'b', 'c']) sim.start(n);
    sim.runUntil(1500);
    return { sim, checker, disks, actor: (n: string) => sim.nodes.get(n)?.actor as NodeActor };
  }

  function submit(c: ReturnType<typeof cluster>, node: string, request: string, change: CibChange, mustRefuse = false): void {
    c.checker.submitted(request, node, 1, c.sim.nowMs, { mustRefuse, marker: null });
    c.sim.inject(node, (actor, nowMs) => actor.submit(request, change, nowMs));
  }

  it('passes a cluster that commits a change everywhere and refuses a malformed one', () => {
    const c = cluster();
    submit(c, 'b', 'r1', { op: 'replace', scope: 'resources', xml: resources });
    submit(c, 'c', 'r2', { op: 'replace', scope: 'resources', xml: '<resources><primitive' }, true);
    c.sim.runUntil(2000);
    c.checker.expectSettled(c.sim, 'healthy', 10_000);
    expect(c.checker.violations).toEqual([]);
    expect(c.checker.stats).toMatchObject({ submitted: 2, committed: 1, refused: 1 });
    for (const n of ['a', 'b', 'c']) expect(c.disks.get(n)?.cib).toContain('id="web"');
  });

  it('reports members holding different CIBs', () => {
    const c = cluster();
    const odd = parseXml(serializeXml(c.actor('c').cib.current()));
    odd.attrs['have-quorum'] = '0';
    (c.actor('c').cib as unknown as { cib: XmlElement }).cib = odd;
    c.checker.expectSettled(c.sim, 'diverted', 10_000);
    expect(c.checker.violations.map((v) => v.rule)).toEqual(['one-cib']);
  });

  it('reports a version going backwards in memory', () => {
    const c = cluster();
    const core = c.actor('b').cib as unknown as { ver: CibVersion };
    core.ver = { ...core.ver, epoch: 0 };
    c.sim.runUntil(1500 + 2 * timing.keepaliveMs);
    expect(c.checker.violations.map((v) => v.rule)).toContain('cib-version-grows');
  });

  it('reports a committed change the cluster no longer holds, and a malformed change reported committed', () => {
    const c = cluster();
    c.checker.submitted('bad', 'a', 1, c.sim.nowMs, { mustRefuse: true, marker: null });
    c.actor('a').outcomes.push({ request: 'bad', node: 'a', committed: true, version: { adminEpoch: 0, epoch: 99, numUpdates: 0 }, configuration: null });
    c.sim.runUntil(1500 + 2 * timing.keepaliveMs);
    c.checker.expectSettled(c.sim, 'lost', 10_000);
    expect(c.checker.violations.map((v) => v.rule)).toEqual(['refuse-bad-input', 'committed-kept']);
  });

  it('reports a change never answered', () => {
    const c = cluster();
    c.checker.submitted('lost', 'a', 1, c.sim.nowMs, { mustRefuse: false, marker: null });
    c.sim.runUntil(5000);
    c.checker.expectSettled(c.sim, 'unanswered', 1000);
    expect(c.checker.violations.map((v) => v.rule)).toEqual(['answered']);
  });
});
