import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveKeys } from './keys.js';
import { UdpTransport } from './udp.js';
import { encodeDatagram } from './wire.js';

/**
 * Mutated genuine packets straight into the receive path: whatever the bytes, the transport
 * never throws, delivers only packets that are byte-for-byte genuine and fresh, and puts
 * every other packet in exactly one drop counter. FUZZ_RUNS raises the count for a long run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const keys = deriveKeys(Buffer.from('fuzz-key-0123456789abcdef'));

function receiver(encrypt: boolean) {
  const delivered: Buffer[] = [];
  const t = new UdpTransport({
    self: 'b',
    incarnation: 1n,
    keys,
    encrypt,
    knownNodes: new Set(['a', 'b']),
    links: [],
    log: () => undefined,
    now: () => 0,
    onMessage: (_from, _link, payload) => delivered.push(payload),
  });
  return { t, delivered };
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant('replay' as const) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 400 }) }),
);

describe('transport receive path under fuzzing', () => {
  for (const encrypt of [false, true]) {
    it(`delivers only genuine fresh packets and counts every other one (${encrypt ? 'encrypted' : 'authenticated'})`, () => {
      const { t, delivered } = receiver(encrypt);
      let seq = 0n;
      let genuine = 0;
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), mutation, (payload, m) => {
          const packet = encodeDatagram(keys, { sender: 'a', incarnation: 5n, seq: ++seq, payload: Buffer.from(payload) }, encrypt);
          let bytes: Buffer;
          if (m.kind === 'flip') {
            bytes = Buffer.from(packet);
            bytes[m.at % bytes.length] ^= 1 << m.bit;
          } else if (m.kind === 'truncate') bytes = packet.subarray(0, m.at % packet.length);
          else if (m.kind === 'extend') bytes = Buffer.concat([packet, Buffer.from(m.bytes)]);
          else if (m.kind === 'random') bytes = Buffer.from(m.bytes);
          else {
            t.receive(0, packet);
            genuine++;
            bytes = packet;
          }
          expect(() => t.receive(0, bytes)).not.toThrow();
        }),
        { numRuns: RUNS },
      );
      const c = t.counters;
      const dropped = c.droppedMalformed + c.droppedBadMac + c.droppedBadCipher + c.droppedReplay + c.droppedUnknownSender + c.droppedPlaintext;
      expect(delivered.length).toBe(genuine);
      expect(c.delivered).toBe(genuine);
      expect(c.received).toBe(c.delivered + dropped);
      expect(c.droppedReplay).toBe(genuine);
    }, Math.max(60_000, RUNS * 2));
  }
});
