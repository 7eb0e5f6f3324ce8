import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/daemon/client.js';
import { buildAvailable, startCluster, vigilPath, type Cluster } from './cluster.mjs';

const skip = buildAvailable();
const run = promisify(execFile);

/**
 * Three real vigild processes on loopback addresses: the API, the status command, the replicated
 * CIB, and the packet defences, without needing root. The namespace tests cover real links.
 */
describe.skipIf(skip !== null)(`vigild on loopback${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let cluster: Cluster;
  const all = ['n1', 'n2', 'n3'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-loop-'));
    cluster = await startCluster({ dir, nodes: 3, budget: '1s' });
    for (let i = 0; i < 3; i++) await cluster.waitFor(i, (s) => s.view.members.length === 3 && s.view.dc === 'n1', 15_000, 'a 3-node view');
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agrees on one view, DC and quorum, and records them in every node_state', async () => {
    const views = await Promise.all([0, 1, 2].map((i) => cluster.waitFor(i, (s) => /in_ccm="true"[^>]*uname|uname="n3"[^>]*in_ccm="true"/.test(s.cib), 5000, 'node_state in CIB')));
    expect(new Set(views.map((s) => s.view.id)).size).toBe(1);
    for (const s of views) {
      expect(s.view.members).toEqual(all);
      expect(s.view.quorate).toBe(true);
      expect(s.cib).toContain('have-quorum="1"');
      expect(s.cib).toContain('dc-uuid="1"');
    }
  });

  it('drops and counts forged, replayed, truncated and random packets without disturbing the view', async () => {
    const wire = await import('../../src/transport/wire.js');
    const keysMod = await import('../../src/transport/keys.js');
    const keys = keysMod.deriveKeys(readFileSync(join(dir, 'authkey')));
    const wrong = keysMod.deriveKeys(Buffer.alloc(32, 1));
    const before = await cluster.status(1);
    const hb = Buffer.from(JSON.stringify({ t: 'hb', inc: 1, vid: 0, vco: 1, vm: [1], heard: [] }));
    const packets: Buffer[] = [
      // Signed with the wrong key.
      wire.encodeDatagram(wrong, { sender: 'n1', incarnation: BigInt(Date.now()), seq: 1n, payload: hb }, false),
      // A genuine packet from an earlier life of n1: a replay.
      wire.encodeDatagram(keys, { sender: 'n1', incarnation: 1n, seq: 1n, payload: hb }, false),
      // A genuine packet, truncated.
      wire.encodeDatagram(keys, { sender: 'n1', incarnation: 1n, seq: 2n, payload: hb }, false).subarray(0, 30),
      // A node the cluster does not know, with the right key.
      wire.encodeDatagram(keys, { sender: 'intruder', incarnation: 1n, seq: 1n, payload: hb }, false),
    ];
    for (let i = 0; i < 3000; i++) packets.push(Buffer.from(Array.from({ length: 1 + (i % 120) }, () => Math.floor(Math.random() * 256))));
    const s = createSocket('udp4');
    // Paced a little, so that the kernel's socket buffer (not the daemon) is not what drops them.
    for (let i = 0; i < packets.length; i++) {
      await new Promise<void>((resolve) => s.send(packets[i], cluster.port, '127.0.0.2', () => resolve()));
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 5));
    }
    s.close();
    const after = await cluster.waitFor(1, (st) => st.counters.received - before.counters.received >= packets.length, 5000, 'all packets received');
    expect(after.counters.droppedBadMac - before.counters.droppedBadMac).toBe(1);
    expect(after.counters.droppedReplay - before.counters.droppedReplay).toBe(1);
    expect(after.counters.droppedUnknownSender - before.counters.droppedUnknownSender).toBe(1);
    expect(after.counters.droppedMalformed - before.counters.droppedMalformed).toBeGreaterThanOrEqual(3000);
    // Still heartbeating, same view, nobody suspected.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await cluster.status(1);
    expect(later.view.id).toBe(before.view.id);
    expect(later.peers.filter((p) => p.name !== 'n2').map((p) => p.state)).toEqual(['alive', 'alive']);
    expect(later.counters.delivered).toBeGreaterThan(after.counters.delivered);
    const logs = cluster.events(1).filter((e) => e.msg.startsWith('dropped packet'));
    // Rate-limited: one line per kind per 10 s, not one per packet.
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.length).toBeLessThan(20);
  });

  it('commits a change made on a non-DC node only once every member has persisted it', async () => {
    const xml = '<resources><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"/></resources>';
    const res = (await cluster.request(2, { op: 'cib.replace', scope: 'resources', xml })) as { committed: boolean; version: { epoch: number } };
    expect(res.committed).toBe(true);
    for (let i = 0; i < 3; i++) {
      const onDisk = readFileSync(join(cluster.node(i).stateDir, 'cib.xml'), 'utf8');
      expect(onDisk).toContain('id="vip"');
      expect(onDisk).toContain(`epoch="${res.version.epoch}"`);
    }
    await expect(cluster.request(2, { op: 'cib.replace', scope: 'resources', xml: '<resources><oops' })).rejects.toThrow(/not well-formed/);
    const q = (await cluster.request(0, { op: 'cib.query', scope: 'resources' })) as string;
    expect(q).toContain('id="vip"');
  });

  it('shows a killed node as UNCLEAN and a cleanly stopped one as OFFLINE', async () => {
    cluster.kill(2, 'SIGKILL');
    await cluster.waitFor(0, (s) => s.view.members.join() === 'n1,n2' && /uname="n3"[^>]*in_ccm="false"/.test(s.cib), 5000, 'n3 gone');
    const text = (await run(process.execPath, [vigilPath, 'status', '--socket', cluster.node(0).socket])).stdout;
    expect(text).toMatch(/Node n3: UNCLEAN \(offline\)/);
    expect(text).toMatch(/Online: \[ n1 n2 \]/);
    expect(text).toMatch(/Current DC: n1 \(version vigil [0-9.]+\) - partition with quorum/);
    expect(text).toMatch(/Stack: vigil/);
    expect(text).toMatch(/Packets:\n  \* sent \d+/);

    // A client holding its connection open must not delay the shutdown.
    const held = await connect(cluster.node(1).socket);
    cluster.kill(1, 'SIGTERM');
    expect(await cluster.waitExit(1, 6000)).toBe(0);
    held.close();
    await cluster.waitFor(0, (s) => s.view.members.join() === 'n1' && /uname="n2"[^>]*in_ccm="false"/.test(s.cib), 5000, 'n2 gone');
    const json = JSON.parse((await run(process.execPath, [vigilPath, 'status', '--socket', cluster.node(0).socket, '--output-as', 'json'])).stdout);
    const byName = Object.fromEntries(json.nodes.map((n: { name: string; condition: string }) => [n.name, n.condition]));
    expect(byName).toEqual({ n1: 'online', n2: 'offline', n3: 'unclean' });
    expect(json.cluster.resources.map((r: { id: string }) => r.id)).toEqual(['vip']);
    expect(json.cluster.summary.dcName).toBe('n1');
    const xml = (await run(process.execPath, [vigilPath, 'status', '--socket', cluster.node(0).socket, '--output-as', 'xml'])).stdout;
    expect(xml).toMatch(/<node name="n3" id="3" online="false"[^>]*unclean="true"/);
    expect(xml).toMatch(/<current_dc present="true"[^>]*name="n1"[^>]*with_quorum="false"/);
  });

  it('brings a restarted node back with the cluster CIB', async () => {
    cluster.start(1);
    cluster.start(2);
    for (const i of [1, 2]) await cluster.waitFor(i, (s) => s.view.members.length === 3 && s.cib.includes('id="vip"'), 15_000, 'rejoined with the CIB');
  });

  it("drops a controller message from a rejoined node's earlier life: a result it reports is not recorded", async () => {
    const [dc, n3] = [await cluster.status(0), await cluster.status(2)];
    const { deriveKeys, StreamTransport, zeroCounters } = await import('../../src/transport/index.js');
    const { encodeControllerFrame } = await import('../../src/controller/io/messages.js');
    // What n3's killed daemon had buffered, retransmitted by its kernel after it rejoined.
    const earlierLife = new StreamTransport({
      self: 'n3',
      keys: deriveKeys(readFileSync(join(dir, 'authkey'))),
      encrypt: false,
      knownNodes: new Set(all),
      peerAddresses: (node) => cluster.node(all.indexOf(node)).addresses,
      port: cluster.port,
      bindAddresses: [],
      log: () => undefined,
      counters: zeroCounters(),
      onMessage: () => undefined,
    });
    const resource = { id: 'vip', configId: 'vip', agentClass: 'ocf', provider: 'heartbeat', type: 'IPaddr2', params: {}, meta: {} };
    const about = { kind: 'resource' as const, id: 4, inputs: [], key: 'vip_start_0', task: 'start', node: 'n3', resource, intervalMs: 0, timeoutMs: 20_000 };
    const outcome = { rc: 0, opStatus: 0 as const, exitReason: '', startedAtMs: Date.now(), durationMs: 3 };
    await earlierLife.send('n1', encodeControllerFrame({ t: 'op-result', transition: 7777, action: 4, outcome, origin: 'uuid-of-an-earlier-dc', about }, n3.incarnation - 1));
    await earlierLife.close();
    const after = await cluster.waitFor(0, (s) => s.counters.controller.staleIncarnation > dc.counters.controller.staleIncarnation, 5000, 'the stale result counted');
    expect(after.counters.controller.staleIncarnation - dc.counters.controller.staleIncarnation).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await cluster.status(0)).cib).not.toContain('7777');
    expect(cluster.events(0).filter((e) => e.event === 'stale-controller-message').map((e) => e.msg)).toContain(
      `dropped op-result from n3's earlier life (incarnation ${n3.incarnation - 1}, now ${n3.incarnation})`,
    );
    expect((await cluster.status(0)).view.members).toEqual(all);
  });

  it('never reuses a view id: a coordinator restarted alone proposes above every id it used', async () => {
    const before = Math.max(...(await Promise.all([0, 1, 2].map((i) => cluster.status(i)))).map((s) => s.view.id));
    expect(Number(readFileSync(join(cluster.node(0).stateDir, 'view-id'), 'utf8'))).toBeGreaterThanOrEqual(before);
    for (const i of [0, 1, 2]) cluster.kill(i, 'SIGKILL');
    for (const i of [0, 1, 2]) await cluster.waitExit(i, 5000);
    cluster.start(0);
    const alone = await cluster.waitFor(0, (s) => s.view.members.join() === 'n1' && s.view.id > 0, 15_000, 'n1 alone in a view');
    expect(alone.view.id).toBeGreaterThan(before);
    cluster.start(1);
    cluster.start(2);
    const again = await cluster.waitFor(0, (s) => s.view.members.length === 3, 15_000, 'three nodes again');
    expect(again.view.id).toBeGreaterThan(alone.view.id);
  });

  it('refreshes with --watch until interrupted', async () => {
    const child = spawn(process.execPath, [vigilPath, 'status', '--watch', '0.2', '--socket', cluster.node(0).socket]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Waits for two frames rather than a fixed time: starting the CLI is slow on a loaded machine.
    for (let waited = 0; waited < 15_000 && out.split('Cluster Summary:').length - 1 < 2; waited += 100) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out.split('Cluster Summary:').length - 1).toBeGreaterThanOrEqual(2);
  });

  it('says clearly when no daemon is listening', async () => {
    const err = await run(process.execPath, [vigilPath, 'status', '--socket', join(dir, 'nobody.sock')]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 69 });
    expect((err as { stderr: string }).stderr).toMatch(/cannot connect to vigild .* is vigild running\?/);
  });
});
