import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DatagramEncoder, decodeDatagram, encodeDatagram, MAC_BYTES } from './wire.js';
import { deriveKeys } from './keys.js';

const keys = deriveKeys(Buffer.from('0123456789abcdef0123456789abcdef'));
const otherKeys = deriveKeys(Buffer.from('fedcba9876543210fedcba9876543210'));
const sample = { sender: 'alpha', incarnation: 1700000000000n, seq: 42n, payload: Buffer.from('{"t":"hb"}') };

describe('datagram wire format', () => {
  for (const encrypt of [false, true]) {
    it(`round-trips ${encrypt ? 'encrypted' : 'authenticated'} packets`, () => {
      const decoded = decodeDatagram(keys, encodeDatagram(keys, sample, encrypt));
      expect(decoded).toEqual({ ok: true, encrypted: encrypt, packet: sample });
    });

    it(`rejects every single-byte change (${encrypt ? 'encrypted' : 'clear'})`, () => {
      const packet = encodeDatagram(keys, sample, encrypt);
      for (let i = 0; i < packet.length; i++) {
        const bad = Buffer.from(packet);
        bad[i] ^= 0x01;
        expect(decodeDatagram(keys, bad).ok, `byte ${i}`).toBe(false);
      }
    });

    it(`rejects every truncation (${encrypt ? 'encrypted' : 'clear'})`, () => {
      const packet = encodeDatagram(keys, sample, encrypt);
      for (let n = 0; n < packet.length; n++) {
        const r = decodeDatagram(keys, packet.subarray(0, n));
        expect(r.ok).toBe(false);
      }
    });
  }

  it('an encoder reused for many packets writes each with its own sequence and payload', () => {
    for (const encrypt of [false, true]) {
      const encoder = new DatagramEncoder(keys, 'nöde-2', 77n, encrypt);
      const payloads = ['a much longer first payload', '', 'x'].map((p) => Buffer.from(p));
      const packets = payloads.map((payload, i) => encoder.encode(BigInt(i + 1), payload));
      packets.forEach((packet, i) => {
        expect(decodeDatagram(keys, packet)).toEqual({ ok: true, encrypted: encrypt, packet: { sender: 'nöde-2', incarnation: 77n, seq: BigInt(i + 1), payload: payloads[i] } });
      });
    }
  });

  it('never reuses a GCM nonce, across the draws of fresh random ones too', () => {
    const encoder = new DatagramEncoder(keys, 'alpha', 1n, true);
    const nonceAt = 6 + 5 + 20;
    const nonces = new Set(Array.from({ length: 1000 }, (_, i) => encoder.encode(BigInt(i), sample.payload).toString('hex', nonceAt, nonceAt + 12)));
    expect(nonces.size).toBe(1000);
  });

  it('refuses an empty or overlong sender name', () => {
    expect(() => new DatagramEncoder(keys, '', 1n, false)).toThrow(/1\.\.64 bytes/);
    expect(() => new DatagramEncoder(keys, 'é'.repeat(33), 1n, false)).toThrow(/1\.\.64 bytes/);
  });

  it('rejects a packet made with another key as a bad MAC', () => {
    const r = decodeDatagram(keys, encodeDatagram(otherKeys, sample, false));
    expect(r).toMatchObject({ ok: false, reason: 'bad-mac' });
  });

  it('does not leak the payload when encrypted', () => {
    const secret = Buffer.from('the-secret-payload');
    const packet = encodeDatagram(keys, { ...sample, payload: secret }, true);
    expect(packet.includes(secret)).toBe(false);
  });

  it('never throws and never accepts random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const r = decodeDatagram(keys, Buffer.from(bytes));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts random bytes behind a valid header', () => {
    const header = encodeDatagram(keys, sample, false).subarray(0, 6 + 5 + 20);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (tail) => {
        const r = decodeDatagram(keys, Buffer.concat([header, Buffer.from(tail)]));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('puts the MAC last', () => {
    const packet = encodeDatagram(keys, sample, false);
    expect(packet.length).toBe(6 + 5 + 20 + sample.payload.length + MAC_BYTES);
  });
});
