import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DatagramMac } from './datagram-mac.js';

const reference = (key: Uint8Array, data: Uint8Array): Buffer => createHmac('sha256', key).update(data).digest();

describe('DatagramMac', () => {
  it('computes HMAC-SHA256 for every key and data length a datagram can have', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(20), (key, data, extra) => {
        // The MAC covers a prefix of a larger buffer, as it does in a datagram.
        const buf = new Uint8Array(data.length + extra).fill(0xa5);
        buf.set(data);
        const out = new Uint8Array(40).fill(7);
        new DatagramMac(key).sign(buf, data.length, out, 5);
        expect(Buffer.from(out.subarray(5, 37))).toEqual(reference(key, data));
        expect([...out.subarray(0, 5), ...out.subarray(37)]).toEqual(Array(8).fill(7));
      }),
      { numRuns: 1500 },
    );
  });

  it('gives the same MAC when used again (no state carried between packets)', () => {
    const mac = new DatagramMac(Buffer.from('k'.repeat(32)));
    const long = Buffer.alloc(200, 1);
    const short = Buffer.from('hb');
    const first = Buffer.alloc(32);
    mac.sign(short, short.length, first, 0);
    mac.sign(long, long.length, Buffer.alloc(32), 0);
    const again = Buffer.alloc(32);
    mac.sign(short, short.length, again, 0);
    expect(again).toEqual(first);
    expect(first).toEqual(reference(Buffer.from('k'.repeat(32)), short));
  });

  it('verifies the genuine MAC and refuses every flipped bit and a MAC cut short', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const mac = new DatagramMac(key);
    const data = Buffer.from('{"t":"hb","inc":1}');
    const packet = Buffer.concat([data, reference(key, data)]);
    expect(mac.verify(packet, data.length, packet, data.length)).toBe(true);
    for (let bit = 0; bit < 8 * 32; bit++) {
      const bad = Buffer.from(packet);
      bad[data.length + (bit >> 3)] ^= 1 << (bit & 7);
      expect(mac.verify(bad, data.length, bad, data.length)).toBe(false);
    }
    expect(mac.verify(packet.subarray(0, packet.length - 1), data.length, packet.subarray(0, packet.length - 1), data.length)).toBe(false);
  });

  it('refuses keys longer than a block (they would need hashing first)', () => {
    expect(() => new DatagramMac(new Uint8Array(65))).toThrow(/at most 64/);
  });
});
