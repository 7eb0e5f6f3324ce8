import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { DATAGRAM_MAC_BYTES } from './datagram-mac.js';
import type { ClusterKeys } from './keys.js';

/**
 * The datagram format (all integers big-endian):
 *
 *   0   4  magic "VGL1"
 *   4   1  flags: bit 0 = payload encrypted with AES-256-GCM
 *   5   1  sender name length N (1..64)
 *   6   N  sender node name, UTF-8
 *   .   8  sender incarnation (grows at every daemon start)
 *   .   8  sequence number within the incarnation
 *   .   4  payload length L
 *   .  12  GCM nonce (only when encrypted)
 *   .   L  payload (ciphertext when encrypted)
 *   .  16  GCM tag (only when encrypted)
 *   .  32  HMAC-SHA256 over every byte before it, with the derived MAC key
 *
 * The MAC covers the header, so the sender, incarnation and sequence cannot be altered; the GCM
 * layer uses the header as additional data too.
 */
export const MAGIC = Buffer.from('VGL1', 'latin1');
export const MAC_BYTES = DATAGRAM_MAC_BYTES;
export const MAX_NAME_BYTES = 64;
export const MAX_DATAGRAM = 65_000;
const FLAG_ENCRYPTED = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** GCM nonces are drawn this many at a time: one randomBytes call costs ~1.6 µs, mostly overhead. */
const NONCES_PER_DRAW = 256;

export interface Datagram {
  sender: string;
  incarnation: bigint;
  seq: bigint;
  payload: Buffer;
}

export type DecodeResult =
  | { ok: true; packet: Datagram; encrypted: boolean }
  | { ok: false; reason: 'malformed' | 'bad-mac' | 'bad-cipher'; detail: string };

/**
 * Writes the datagrams of one sender's life. Everything before the sequence number is the same
 * in all of them, so it is laid out once here rather than for every heartbeat.
 */
export class DatagramEncoder {
  private readonly prefix: Buffer;
  private readonly headerLen: number;
  /** Random, each used once: a repeated nonce under the cluster key would break GCM. */
  private readonly nonces: Buffer;
  private nonceAt: number;

  constructor(
    private readonly keys: ClusterKeys,
    sender: string,
    incarnation: bigint,
    private readonly encrypt: boolean,
  ) {
    const nameLen = Buffer.byteLength(sender, 'utf8');
    if (nameLen === 0 || nameLen > MAX_NAME_BYTES) throw new Error(`node name '${sender}' must be 1..${MAX_NAME_BYTES} bytes`);
    this.prefix = Buffer.alloc(6 + nameLen + 8);
    this.prefix.set(MAGIC, 0);
    this.prefix[4] = encrypt ? FLAG_ENCRYPTED : 0;
    this.prefix[5] = nameLen;
    this.prefix.write(sender, 6, 'utf8');
    this.prefix.writeBigUInt64BE(incarnation, 6 + nameLen);
    this.headerLen = this.prefix.length + 12;
    this.nonces = Buffer.alloc(encrypt ? NONCE_BYTES * NONCES_PER_DRAW : 0);
    this.nonceAt = this.nonces.length;
  }

  encode(seq: bigint, payload: Buffer): Buffer {
    const { headerLen } = this;
    const bodyLen = this.encrypt ? NONCE_BYTES + payload.length + TAG_BYTES : payload.length;
    const macAt = headerLen + bodyLen;
    if (macAt + MAC_BYTES > MAX_DATAGRAM) throw new Error(`datagram of ${macAt + MAC_BYTES} bytes exceeds ${MAX_DATAGRAM}; use the stream channel`);
    // One buffer for the whole datagram, written in place: heartbeats go out many times a
    // second, and every intermediate buffer is garbage the collector must then sweep.
    // TypedArray.set rather than Buffer.copy for the small parts: no call into C++.
    const packet = Buffer.allocUnsafe(macAt + MAC_BYTES);
    packet.set(this.prefix, 0);
    let o = this.prefix.length;
    packet.writeBigUInt64BE(seq, o);
    packet.writeUInt32BE(payload.length, o + 8);
    o = headerLen;
    if (this.encrypt) {
      if (this.nonceAt === this.nonces.length) {
        randomFillSync(this.nonces);
        this.nonceAt = 0;
      }
      const nonce = this.nonces.subarray(this.nonceAt, (this.nonceAt += NONCE_BYTES));
      const cipher = createCipheriv('aes-256-gcm', this.keys.cipher, nonce);
      cipher.setAAD(packet.subarray(0, headerLen));
      packet.set(nonce, o);
      o += NONCE_BYTES;
      o += cipher.update(payload).copy(packet, o);
      o += cipher.final().copy(packet, o);
      cipher.getAuthTag().copy(packet, o);
    } else {
      packet.set(payload, o);
    }
    this.keys.datagramMac.sign(packet, macAt, packet, macAt);
    return packet;
  }
}

export function encodeDatagram(keys: ClusterKeys, d: Datagram, encrypt: boolean): Buffer {
  return new DatagramEncoder(keys, d.sender, d.incarnation, encrypt).encode(d.seq, d.payload);
}

/**
 * Never throws: anything an attacker or a broken network can send becomes a typed rejection.
 * A clear-text payload is a view into `buf`, not a copy: the socket hands over a new buffer for
 * every datagram.
 */
export function decodeDatagram(keys: ClusterKeys, buf: Buffer): DecodeResult {
  const bad = (detail: string): DecodeResult => ({ ok: false, reason: 'malformed', detail });
  if (buf.length < 6 + 1 + 20 + MAC_BYTES) return bad(`truncated: ${buf.length} bytes`);
  if (buf[0] !== MAGIC[0] || buf[1] !== MAGIC[1] || buf[2] !== MAGIC[2] || buf[3] !== MAGIC[3]) return bad('bad magic');
  const flags = buf[4];
  if ((flags & ~FLAG_ENCRYPTED) !== 0) return bad(`unknown flags ${flags}`);
  const encrypted = (flags & FLAG_ENCRYPTED) !== 0;
  const nameLen = buf[5];
  if (nameLen === 0 || nameLen > MAX_NAME_BYTES) return bad(`bad name length ${nameLen}`);
  const fixed = 6 + nameLen + 20;
  if (buf.length < fixed + MAC_BYTES) return bad(`truncated: ${buf.length} bytes`);
  const payloadLen = buf.readUInt32BE(6 + nameLen + 16);
  const bodyLen = encrypted ? NONCE_BYTES + payloadLen + TAG_BYTES : payloadLen;
  if (buf.length !== fixed + bodyLen + MAC_BYTES) return bad(`length ${buf.length} does not match payload length ${payloadLen}`);
  const macAt = buf.length - MAC_BYTES;
  if (!keys.datagramMac.verify(buf, macAt, buf, macAt)) return { ok: false, reason: 'bad-mac', detail: 'HMAC mismatch' };
  const sender = buf.toString('utf8', 6, 6 + nameLen);
  const incarnation = buf.readBigUInt64BE(6 + nameLen);
  const seq = buf.readBigUInt64BE(6 + nameLen + 8);
  let payload: Buffer;
  if (encrypted) {
    const nonce = buf.subarray(fixed, fixed + NONCE_BYTES);
    const ct = buf.subarray(fixed + NONCE_BYTES, fixed + NONCE_BYTES + payloadLen);
    const tag = buf.subarray(fixed + NONCE_BYTES + payloadLen, macAt);
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.cipher, nonce);
      decipher.setAAD(buf.subarray(0, fixed));
      decipher.setAuthTag(tag);
      payload = decipher.update(ct);
      // GCM is a stream mode: final() only checks the tag and adds no bytes.
      decipher.final();
    } catch {
      return { ok: false, reason: 'bad-cipher', detail: 'AES-GCM authentication failed' };
    }
  } else {
    payload = buf.subarray(fixed, macAt);
  }
  return { ok: true, packet: { sender, incarnation, seq, payload }, encrypted };
}
