import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveKeys } from './keys.js';
import { UdpTransport } from './udp.js';
import { encodeDatagram } from './wire.js';

const keys = deriveKeys(Buffer.from('udp-test-key-0123456789abcdef'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const open: UdpTransport[] = [];

function node(self: string, address: string, peer: { node: string; address: string }, encrypt = false): { t: UdpTransport; got: string[] } {
  const got: string[] = [];
  const t = new UdpTransport({
    self,
    incarnation: 1000n,
    keys,
    encrypt,
    knownNodes: new Set(['a', 'b']),
    links: [{ mode: 'unicast', bindAddress: address, port, peers: [peer] }],
    log: () => undefined,
    now: Date.now,
    onMessage: (from, _link, payload) => got.push(`${from}:${payload.toString()}`),
  });
  open.push(t);
  return { t, got };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function inject(packets: Buffer[], to: string): Promise<void> {
  const s = createSocket('udp4');
  for (const p of packets) await new Promise<void>((resolve) => s.send(p, port, to, () => resolve()));
  s.close();
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('UdpTransport over loopback', () => {
  it('delivers authenticated datagrams and drops and counts forged, replayed, truncated and random ones', async () => {
    const a = node('a', '127.0.0.1', { node: 'b', address: '127.0.0.2' });
    const b = node('b', '127.0.0.2', { node: 'a', address: '127.0.0.1' });
    await a.t.start();
    await b.t.start();
    // A packet from a's previous life (incarnation 999), then the garbage.
    const genuine = encodeDatagram(keys, { sender: 'a', incarnation: 999n, seq: 1n, payload: Buffer.from('old-life') }, false);
    const forged = encodeDatagram(deriveKeys(Buffer.from('not-the-cluster-key-at-all!!')), { sender: 'a', incarnation: 1000n, seq: 1000n, payload: Buffer.from('evil') }, false);
    const stranger = encodeDatagram(keys, { sender: 'mallory', incarnation: 1n, seq: 1n, payload: Buffer.from('x') }, false);
    const random = Array.from({ length: 50 }, (_, i) => Buffer.from(Array.from({ length: i * 7 }, () => Math.floor(Math.random() * 256))));
    await inject([genuine, genuine, forged, genuine.subarray(0, 20), stranger, ...random], '127.0.0.2');
    await until(() => b.t.counters.received >= 55);
    expect(b.got).toEqual(['a:old-life']);

    // a restarts with a higher incarnation: its packets are fresh, the old life's are now stale.
    a.t.broadcast(Buffer.from('hello'));
    await until(() => b.got.length === 2);
    await inject([genuine], '127.0.0.2');
    await until(() => b.t.counters.received >= 57);
    const c = b.t.counters;
    expect(b.got).toEqual(['a:old-life', 'a:hello']);
    expect(c.droppedReplay).toBe(2);
    expect(c.droppedBadMac).toBe(1);
    expect(c.droppedUnknownSender).toBe(1);
    expect(c.droppedMalformed).toBe(51);
    expect(c.delivered).toBe(2);

    // Still working after the garbage.
    a.t.sendTo('b', Buffer.from('still'));
    await until(() => b.got.length === 3);
    expect(b.got[2]).toBe('a:still');
    expect(b.t.peerIncarnation('a')).toBe(1000n);
  });

  it('sends from the cluster port, so a firewall that allows only that port still lets heartbeats through', async () => {
    const listener = createSocket('udp4');
    const from = new Promise<{ address: string; port: number }>((resolve) => listener.once('message', (_msg, rinfo) => resolve(rinfo)));
    await new Promise<void>((resolve) => listener.bind(port, '127.0.0.3', () => resolve()));
    const a = node('a', '127.0.0.1', { node: 'b', address: '127.0.0.3' });
    await a.t.start();
    a.t.sendTo('b', Buffer.from('hb'));
    const rinfo = await from;
    listener.close();
    expect(rinfo).toMatchObject({ address: '127.0.0.1', port });
  });

  it('counts the refusals while a peer is down and reaches it once it is up', async () => {
    const a = node('a', '127.0.0.1', { node: 'b', address: '127.0.0.4' });
    await a.t.start();
    for (let i = 0; i < 3; i++) {
      a.t.sendTo('b', Buffer.from('anyone?'));
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => a.t.counters.sendErrors >= 1);
    const b = node('b', '127.0.0.4', { node: 'a', address: '127.0.0.1' });
    await b.t.start();
    await until(() => {
      a.t.sendTo('b', Buffer.from('up'));
      return b.got.includes('a:up');
    });
    b.t.sendTo('a', Buffer.from('back'));
    await until(() => a.got.includes('b:back'));
  });

  it('starts when a peer cannot be connected to, and sends to it through the shared socket', async () => {
    const logs: string[] = [];
    const t = new UdpTransport({
      self: 'a',
      incarnation: 1n,
      keys,
      encrypt: false,
      knownNodes: new Set(['a', 'b']),
      // Connecting to the broadcast address without SO_BROADCAST fails (EACCES).
      links: [{ mode: 'unicast', bindAddress: '127.0.0.1', port, peers: [{ node: 'b', address: '255.255.255.255' }] }],
      log: (_level, message) => logs.push(message),
      now: Date.now,
      onMessage: () => undefined,
    });
    open.push(t);
    await t.start();
    t.sendTo('b', Buffer.from('hb'));
    expect(t.counters.sent).toBe(1);
    expect(logs).toEqual([expect.stringMatching(/sending to b through the shared socket/)]);
  });

  it('with encryption on, refuses clear-text packets even with a valid MAC', async () => {
    const a = node('a', '127.0.0.1', { node: 'b', address: '127.0.0.2' }, true);
    const b = node('b', '127.0.0.2', { node: 'a', address: '127.0.0.1' }, true);
    await a.t.start();
    await b.t.start();
    a.t.broadcast(Buffer.from('sealed'));
    await until(() => b.got.length === 1);
    await inject([encodeDatagram(keys, { sender: 'a', incarnation: 2000n, seq: 1n, payload: Buffer.from('clear') }, false)], '127.0.0.2');
    await until(() => b.t.counters.droppedPlaintext === 1);
    expect(b.got).toEqual(['a:sealed']);
  });
});
