import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, netnsFenceDevice, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';

/** The supervised service is `sleep 100000`: told apart from any other sleep by its argument. */
const SVC_ARG = '100000';
const why = await e2eUnavailable();
const RUNS = Number(process.env.VIGIL_PARTITION_RUNS ?? 20);
const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Seen {
  /** Index of the namespace. */
  side: number;
  pid: number;
}

/** The service's processes in the namespaces (by inode), in the order one pass over /proc read them. */
function servicePids(namespaces: readonly string[]): Seen[] {
  const inodes = namespaces.map((ns) => `net:[${statSync(`/run/netns/${ns}`).ino}]`);
  const out: Seen[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8') !== 'sleep\n') continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(SVC_ARG)) continue;
      const side = inodes.indexOf(readlinkSync(`/proc/${entry}/ns/net`));
      if (side >= 0) out.push({ side, pid: Number(entry) });
    } catch {
      // Gone meanwhile, or a zombie (no namespace left): it holds nothing.
    }
  }
  return out;
}

/**
 * A split brain is the resource's process alive in both namespaces at the same moment. No two
 * reads are at the same moment (under load they can be 100 ms apart), so a pass that sees both
 * sides is evidence only when the process it read first is still there, the same pid, in a
 * second pass: a process alive at two reads was alive between them, when the other side's was
 * read. (Taking one pass as proof "saw" a split brain when one side was fenced just after it
 * was read and the other started just before it was: that is how this test once failed under load.)
 */
function splitBrainEvidence(first: readonly Seen[], second: readonly Seen[]): string | null {
  for (const [i, early] of first.entries()) {
    const later = first.slice(i + 1).find((s) => s.side !== early.side);
    if (later !== undefined && second.some((s) => s.pid === early.pid)) {
      return `pid ${early.pid} (side ${early.side}) was alive before and after pid ${later.pid} (side ${later.side}) was seen`;
    }
  }
  return null;
}

function sampler(e: E2eCluster): { stop: () => Promise<string | null> } {
  const namespaces = [e.ns(0), e.ns(1)];
  let evidence: string | null = null;
  let running = true;
  const loop = (async () => {
    while (running && evidence === null) {
      const first = servicePids(namespaces);
      if (new Set(first.map((s) => s.side)).size > 1) evidence = splitBrainEvidence(first, servicePids(namespaces));
      await sleepMs(20);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return evidence;
    },
  };
}

describe('split-brain evidence from two passes over /proc', () => {
  it('needs the process read first to outlive the read of the other side', () => {
    // Side 0 fenced right after its read, side 1 started right before its read: no overlap proven.
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 1, pid: 20 }], [{ side: 1, pid: 20 }])).toBeNull();
    expect(splitBrainEvidence([{ side: 1, pid: 5 }, { side: 0, pid: 10 }], [{ side: 0, pid: 10 }])).toBeNull();
    // A new process with another pid is not the one that was read.
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 1, pid: 20 }], [{ side: 0, pid: 11 }])).toBeNull();
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 1, pid: 20 }], [{ side: 0, pid: 10 }])).toMatch(/pid 10 .* pid 20/);
    expect(splitBrainEvidence([{ side: 1, pid: 5 }, { side: 0, pid: 10 }], [{ side: 1, pid: 5 }, { side: 0, pid: 10 }])).toMatch(/pid 5 .* pid 10/);
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 0, pid: 12 }], [{ side: 0, pid: 10 }, { side: 0, pid: 12 }])).toBeNull();
  });
});

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
        const watch = sampler(e);
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
