import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLeftovers, createNetwork, netnsAvailable, type Network } from '../netns/netns.mjs';
import { buildAvailable, startCluster, type Cluster } from './cluster.mjs';

const skip = buildAvailable() ?? netnsAvailable();

/**
 * Three vigild on three network namespaces, each with two links (two bridges): the real
 * sockets, the real port 694, real cables cut. Every wait is bounded; the namespaces and the
 * daemons in them are removed even when a test fails.
 */
describe.skipIf(skip !== null)(`vigild on 3 network namespaces${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let network: Network;
  let cluster: Cluster;
  let dir: string;
  const viewOf = async (i: number) => (await cluster.status(i)).view;

  beforeAll(async () => {
    cleanupLeftovers();
    dir = mkdtempSync(join(tmpdir(), 'vigil-netns-'));
    network = createNetwork({ nodes: 3, links: 2 });
    cluster = await startCluster({ network, dir, budget: '1s' });
    for (let i = 0; i < 3; i++) await cluster.waitFor(i, (s) => s.view.members.length === 3 && s.view.dc === 'n1', 15_000, 'a 3-node view');
  });

  afterAll(async () => {
    try {
      await cluster?.stop();
    } finally {
      network?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a node whose one link is cut, and says which link is down', async () => {
    const before = await viewOf(0);
    network.setLink(2, 0, false);
    try {
      const end = Date.now() + 5000;
      while (!cluster.events(0).some((e) => e.event === 'link-down' && e.peer === 'n3' && e.link === 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(cluster.events(0).some((e) => e.event === 'link-down' && e.peer === 'n3' && e.link === 0)).toBe(true);
      const now = await cluster.status(0);
      expect(now.view.id).toBe(before.id);
      expect(now.view.members).toEqual(['n1', 'n2', 'n3']);
      const n3 = now.peers.find((p) => p.name === 'n3');
      expect(n3?.silentMsByLink[0]).toBeGreaterThan(900);
      expect(n3?.silentMsByLink[1]).toBeLessThan(500);
    } finally {
      network.setLink(2, 0, true);
    }
  });

  it('excludes an isolated node within the budget on both sides, and takes it back when healed', async () => {
    network.isolate(2);
    const cutAt = Date.now();
    try {
      for (const i of [0, 1]) await cluster.waitFor(i, (s) => s.view.members.join() === 'n1,n2', 3000, 'n3 excluded');
      const excludedAfter = Date.now() - cutAt;
      const alone = await cluster.waitFor(2, (s) => s.view.members.join() === 'n3', 3000, 'n3 alone');
      expect(alone.view.quorate).toBe(false);
      const main = await cluster.waitFor(0, (s) => /uname="n3"[^>]*in_ccm="false"/.test(s.cib), 3000, 'n3 recorded offline');
      expect(main.view.quorate).toBe(true);
      expect(main.cib).toMatch(/uname="n3"[^>]*expected="member"/);
      // Polling adds up to 50 ms per node; the budget is 1 s.
      expect(excludedAfter).toBeLessThan(1600);
    } finally {
      network.heal(2);
    }
    for (let i = 0; i < 3; i++) await cluster.waitFor(i, (s) => s.view.members.length === 3, 8000, 'healed view');
  });

  it('moves the DC when the DC is isolated, and keeps the majority\'s configuration change after the heal', async () => {
    network.isolate(0);
    try {
      for (const i of [1, 2]) await cluster.waitFor(i, (s) => s.view.members.join() === 'n2,n3' && s.view.dc === 'n2', 3000, 'n2 DC of n2,n3');
      const xml = '<resources><primitive id="during-split" class="ocf" provider="heartbeat" type="Dummy"/></resources>';
      const res = (await cluster.request(2, { op: 'cib.replace', scope: 'resources', xml })) as { committed: boolean };
      expect(res.committed).toBe(true);
      const n2 = await cluster.waitFor(1, (s) => /uname="n1"[^>]*in_ccm="false"/.test(s.cib), 3000, 'n1 recorded offline');
      expect(n2.cib).toMatch(/dc-uuid="2"/);
    } finally {
      network.heal(0);
    }
    for (let i = 0; i < 3; i++) {
      const s = await cluster.waitFor(i, (st) => st.view.members.length === 3 && st.cib.includes('id="during-split"') && st.cib.includes('dc-uuid="1"'), 10_000, 'healed, with the change');
      expect(s.view.dc).toBe('n1');
    }
  });

  it("holds a daemon stopped past deadtime while its host's kernel answers, then gives up on it after the hold", async () => {
    const before = await viewOf(0);
    const timing = (await cluster.status(0)).timing;
    const pid = cluster.pid(1) as number;
    // Stopped for 1.5 deadtimes: silent past deadtime, inside the hold.
    const t0 = Date.now();
    process.kill(pid, 'SIGSTOP');
    let seenStalled = false;
    const resumeAt = Date.now() + 1.5 * timing.deadMs;
    try {
      while (Date.now() < resumeAt) {
        const s = await cluster.status(0);
        if (s.peers.find((p: { name: string }) => p.name === 'n2')?.state === 'stalled') seenStalled = true;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await new Promise((r) => setTimeout(r, 2 * timing.keepaliveMs));
    expect(seenStalled).toBe(true);
    for (const i of [0, 1, 2]) expect((await viewOf(i)).id).toBe(before.id);
    expect(cluster.events(0).filter((e: { ts: number; event?: string }) => e.ts >= t0 && e.event === 'node-lost')).toEqual([]);

    // Stopped for longer than the hold: lost, then back when it resumes.
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      await cluster.waitFor(0, (s) => s.view.members.join() === 'n1,n3', timing.stallHoldMs + 2000, 'n2 excluded after the hold');
      expect(Date.now() - stoppedAt).toBeGreaterThan(timing.deadMs);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    for (let i = 0; i < 3; i++) await cluster.waitFor(i, (s) => s.view.members.length === 3, 10_000, 'n2 back');
  });

  it('detects a daemon killed with SIGKILL and shows it UNCLEAN', async () => {
    cluster.kill(1, 'SIGKILL');
    for (const i of [0, 2]) await cluster.waitFor(i, (s) => s.view.members.join() === 'n1,n3', 3000, 'n2 excluded');
    const s = await cluster.waitFor(0, (st) => /uname="n2"[^>]*in_ccm="false"/.test(st.cib), 3000, 'n2 recorded');
    expect(s.cib).toMatch(/uname="n2"[^>]*expected="member"/);
    expect(s.view.quorate).toBe(true);
  });
});

describe.skipIf(skip !== null)(`vigild over multicast and broadcast links${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const modes = {
    multicast: '[link 0]\nmode = mcast\ngroup = 239.192.0.1\ninterface = eth0',
    broadcast: '[link 0]\nmode = bcast\ninterface = eth0\nbroadcast_address = 10.213.0.255',
  };
  for (const [mode, extraConfig] of Object.entries(modes)) {
    it(`forms one view over ${mode} and notices a killed node`, async () => {
      cleanupLeftovers();
      const dir = mkdtempSync(join(tmpdir(), `vigil-${mode}-`));
      const network = createNetwork({ nodes: 3, links: 1 });
      let cluster: Cluster | undefined;
      try {
        cluster = await startCluster({ network, dir, budget: '1s', extraConfig });
        const c = cluster;
        for (let i = 0; i < 3; i++) await c.waitFor(i, (s) => s.view.members.length === 3, 10_000, `a 3-node view over ${mode}`);
        c.kill(2, 'SIGKILL');
        const s = await c.waitFor(0, (st) => st.view.members.join() === 'n1,n2', 3000, 'n3 excluded');
        expect(s.counters.droppedBadMac).toBe(0);
        expect(s.counters.delivered).toBeGreaterThan(0);
      } finally {
        await cluster?.stop();
        network.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
