import { afterEach, describe, expect, it } from 'vitest';
import { zeroCounters } from './counters.js';
import { deriveKeys } from './keys.js';
import { StreamTransport } from './stream.js';

const port = 20_000 + Math.floor(Math.random() * 20_000);
const addresses: Record<string, string> = { a: '127.0.0.1', b: '127.0.0.2', a2: '127.0.0.3' };
const open: StreamTransport[] = [];

function node(self: string, key: string, encrypt = false, bind = self, canConnect = (): boolean => true) {
  const got: { from: string; body: Buffer }[] = [];
  const counters = zeroCounters();
  const t = new StreamTransport({
    self,
    keys: deriveKeys(Buffer.from(key)),
    encrypt,
    knownNodes: new Set(['a', 'b']),
    peerAddresses: (n) => (canConnect() ? [addresses[n]] : []),
    port,
    bindAddresses: [addresses[bind]],
    log: () => undefined,
    counters,
    onMessage: (from, body) => got.push({ from, body }),
  });
  open.push(t);
  return { t, got, counters };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('StreamTransport', () => {
  for (const encrypt of [false, true]) {
    it(`carries small and large messages in order between nodes sharing the key (${encrypt ? 'encrypted' : 'authenticated'})`, async () => {
      const a = node('a', 'shared-key-0123456789', encrypt);
      const b = node('b', 'shared-key-0123456789', encrypt);
      await a.t.start();
      await b.t.start();
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      await a.t.send('b', Buffer.from('one'));
      await a.t.send('b', big);
      await a.t.send('b', Buffer.from('three'));
      await until(() => b.got.length === 3);
      expect(b.got.map((g) => g.from)).toEqual(['a', 'a', 'a']);
      expect(b.got[0].body.toString()).toBe('one');
      expect(b.got[1].body.equals(big)).toBe(true);
      expect(b.got[2].body.toString()).toBe('three');
      await b.t.send('a', Buffer.from('reply'));
      await until(() => a.got.length === 1);
      expect(a.got[0].body.toString()).toBe('reply');
    });
  }

  it("reads nothing more from a peer's older connection once it has opened a new one", async () => {
    // a's old life keeps its connection but opens no new one (a dead process's kernel only
    // retransmits); its next life runs on the same host, so its connections come from the same address.
    let alive = true;
    const a = node('a', 'shared-key-0123456789', false, 'a', () => alive);
    const b = node('b', 'shared-key-0123456789');
    const aNext = node('a', 'shared-key-0123456789', false, 'a2');
    for (const n of [a, b, aNext]) await n.t.start();
    await a.t.send('b', Buffer.from('old life'));
    await until(() => b.got.length === 1);
    alive = false;
    await aNext.t.send('b', Buffer.from('new life'));
    await until(() => b.got.length === 2);
    await a.t.send('b', Buffer.from('retransmitted')).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.got.map((g) => g.body.toString())).toEqual(['old life', 'new life']);
  });

  it('refuses a peer with another key, on both sides', async () => {
    const a = node('a', 'shared-key-0123456789');
    const b = node('b', 'a-different-key-98765');
    await a.t.start();
    await b.t.start();
    await expect(a.t.send('b', Buffer.from('hi'))).rejects.toThrow(/cannot reach b/);
    await until(() => b.counters.streamRejected === 1);
    expect(b.got).toEqual([]);
  });
});
