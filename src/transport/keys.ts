import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { DatagramMac } from './datagram-mac.js';

/**
 * The keys every packet and stream frame is protected with, derived from the one cluster key so
 * that the MAC key and the cipher key are never the same bytes (HKDF-SHA256, distinct labels).
 */
export interface ClusterKeys {
  readonly mac: Buffer;
  readonly cipher: Buffer;
  /** HMAC-SHA256 with `mac`, prepared for the many small datagrams. */
  readonly datagramMac: DatagramMac;
}

export const MIN_KEY_BYTES = 16;

export function deriveKeys(clusterKey: Buffer): ClusterKeys {
  if (clusterKey.length < MIN_KEY_BYTES) {
    throw new Error(`the cluster key is ${clusterKey.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
  }
  const derive = (label: string): Buffer => Buffer.from(hkdfSync('sha256', clusterKey, 'vigil', label, 32));
  const mac = derive('vigil packet mac v1');
  return { mac, cipher: derive('vigil packet aes-256-gcm v1'), datagramMac: new DatagramMac(mac) };
}

/**
 * Reads the key file. A key that others can read is refused: anyone holding it can join the
 * cluster and fence its nodes.
 */
export function readKeyFile(path: string): Buffer {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new Error(`cannot read the key file ${path}: ${(err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(`the key file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const key = readFileSync(path);
  if (key.length < MIN_KEY_BYTES) throw new Error(`the key file ${path} holds ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
  return key;
}

export function hmac(key: Buffer, ...parts: (Buffer | string)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}
