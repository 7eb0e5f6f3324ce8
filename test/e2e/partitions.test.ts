import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, netnsFenceDevice, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';
import { splitBrainSampler } from './split-brain.js';

/** The supervised service is `sleep 100000`: told apart from any other sleep by its argument. */
const SVC_ARG = '100000';
const why = await e2eUnavailable();
const RUNS = Number(process.env.VIGIL_PARTITION_RUNS ?? 20);
const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(why !== null)(`partitions${why ? ` (skipped: ${why})` : ''}`, () => {
  describe('two nodes with fencing', () => {
    let e: E2eCluster;
    beforeAll(async () => {
      e = await startE2eCluster({ nodes: 2, extraConfig: '[quorum]\ntwo_node = true' });
      await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'true', 'priority-fencing-delay': '2s' }));
      await e.cluster.replace(0, 'rsc_defaults', rscDefaults({ 'resource-stickiness': 'INFINITY' }));
      await e.cluster.replace(
        0,
        'resources',
        `<resources>${netnsFenceDevice(e, 2)}${primitive('svc', 'ocf:vigil:Supervisor', { binfile: '/bin/sleep', cmdline_options: SVC_ARG }, '1s', { priority: '10' })}</resources>`,
      );
    }, 60_000);
    afterAll(async () => e?.destroy());

    it(`exactly one side keeps the resource, ${RUNS} times out of ${RUNS}`, async () => {
      const splitBrains: string[] = [];
      for (let run = 0; run < RUNS; run++) {
        const [holder] = await e.waitFor(`run ${run}: svc running`, () => e.where('svc'), (w) => w.length === 1, 30_000);
        // Alternately the holder's and the other node's cable: the holder cut off keeps svc until
        // it is fenced (after priority-fencing-delay); the other one cut off must start nothing.
        const holderIndex = e.cluster.nodes.findIndex((n) => n.name === holder);
        const cut = run % 2 === 0 ? holderIndex : 1 - holderIndex;
        const watch = splitBrainSampler([e.ns(0), e.ns(1)], SVC_ARG);
        e.net.isolate(cut);
        // The node that lost its own link must not win: it refuses to fence, and the other side fences it.
        const loser = cut;
        const survivor = 1 - cut;
        await e.waitFor(`run ${run}: ${e.cluster.nodes[loser].name} fenced`, async () => e.pidsNamed(loser, 'node').length, (n) => n === 0, 20_000);
        await e.waitFor(`run ${run}: svc on ${e.cluster.nodes[survivor].name}`, async () => e.pidsNamed(survivor, 'sleep', SVC_ARG).length, (n) => n === 1, 20_000);
        await sleepMs(300);
        const evidence = await watch.stop();
        if (evidence !== null) splitBrains.push(`run ${run} (${holder} held svc, ${e.cluster.nodes[cut].name} cut off): ${evidence}`);
        expect(e.pidsNamed(survivor, 'sleep', SVC_ARG).length, `run ${run}: the connected side runs svc (holder was ${holder})`).toBe(1);
        expect(e.pidsNamed(loser, 'sleep', SVC_ARG).length, `run ${run}: the fenced side runs nothing`).toBe(0);
        e.net.heal(cut);
        e.powerOn(loser);
        await e.cluster.waitForMembers(2, 20_000);
        // Settled: the returning node's CIB says where svc runs (its fencer sets delays from it).
        await e.waitFor(`run ${run}: ${e.cluster.nodes[loser].name} knows the status`, () => e.whereOn('svc', loser), (w) => w.length === 1 && w[0] === e.cluster.nodes[survivor].name, 20_000);
      }
      expect(splitBrains).toEqual([]);
    }, 60_000 + RUNS * 20_000);
  });

  describe('three nodes, no-quorum-policy=stop', () => {
    let e: E2eCluster;
    beforeAll(async () => {
      e = await startE2eCluster({ nodes: 3 });
      await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'false', 'no-quorum-policy': 'stop' }));
      await e.cluster.replace(0, 'constraints', '<constraints><rsc_location id="svc-on-node3" rsc="svc" node="node3" score="100"/></constraints>');
      await e.cluster.replace(0, 'resources', `<resources>${primitive('svc', 'ocf:vigil:Supervisor', { binfile: '/bin/sleep', cmdline_options: SVC_ARG })}</resources>`);
    }, 60_000);
    afterAll(async () => e?.destroy());

    it('the minority stops its resources and the majority runs them', async () => {
      await e.waitFor('svc on node3', () => e.where('svc'), (w) => w.length === 1 && w[0] === 'node3', 30_000);
      e.net.isolate(2);
      await e.waitFor('node3 stops svc', async () => e.pidsNamed(2, 'sleep', SVC_ARG).length, (n) => n === 0, 15_000);
      await e.waitFor('svc on the majority', async () => e.pidsNamed(0, 'sleep', SVC_ARG).length + e.pidsNamed(1, 'sleep', SVC_ARG).length, (n) => n === 1, 15_000);
      const minority = await e.cluster.daemonStatus(2);
      expect(minority.view?.quorate).toBe(false);
    }, 60_000);
  });
});
