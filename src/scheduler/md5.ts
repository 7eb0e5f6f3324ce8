/** MD5 of a UTF-8 string, as hex: Pacemaker's operation digests are MD5 sums of parameter XML. */

const S = Uint8Array.from([7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]);
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

/** MD5 of thousands of parameter sets per big run: typed arrays and tables, no per-byte arrays. */
const G = Uint8Array.from({ length: 64 }, (_, i) => (i < 16 ? i : i < 32 ? (5 * i + 1) % 16 : i < 48 ? (3 * i + 5) % 16 : (7 * i) % 16));
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** UTF-8 of `text`, padded as MD5 wants it (0x80, zeros, bit length little-endian) to whole 64-byte blocks. */
function paddedUtf8(text: string): Uint8Array {
  // At most 3 bytes per UTF-16 unit (a surrogate pair, 2 units, makes 4), plus padding.
  const buf = new Uint8Array(Math.ceil((text.length * 3 + 9) / 64) * 64);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) buf[n++] = c;
    else if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      buf[n++] = 0xe0 | (c >> 12);
      buf[n++] = 0x80 | ((c >> 6) & 63);
      buf[n++] = 0x80 | (c & 63);
    } else {
      buf[n++] = 0xf0 | (c >> 18);
      buf[n++] = 0x80 | ((c >> 12) & 63);
      buf[n++] = 0x80 | ((c >> 6) & 63);
      buf[n++] = 0x80 | (c & 63);
    }
  }
  const bitLen = n * 8;
  buf[n] = 0x80;
  const total = Math.ceil((n + 9) / 64) * 64;
  for (let i = 0; i < 8; i++) buf[total - 8 + i] = i < 4 ? (bitLen >>> (8 * i)) & 0xff : Math.floor(bitLen / 2 ** (8 * i)) & 0xff;
  return buf.subarray(0, total);
}

export function md5Hex(text: string): string {
  const bytes = paddedUtf8(text);
  let a0 = 0x67452301 | 0;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476 | 0;
  const m = new Int32Array(16);
  for (let off = 0; off < bytes.length; off += 64) {
    for (let i = 0; i < 16; i++) m[i] = bytes[off + 4 * i] | (bytes[off + 4 * i + 1] << 8) | (bytes[off + 4 * i + 2] << 16) | (bytes[off + 4 * i + 3] << 24);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      if (i < 16) f = (b & c) | (~b & d);
      else if (i < 32) f = (d & b) | (~d & c);
      else if (i < 48) f = b ^ c ^ d;
      else f = c ^ (b | ~d);
      const tmp = d;
      d = c;
      c = b;
      const x = (a + f + K[i] + m[G[i]]) | 0;
      b = (b + ((x << S[i]) | (x >>> (32 - S[i])))) | 0;
      a = tmp;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  let hex = '';
  for (const w of [a0, b0, c0, d0]) for (let i = 0; i < 4; i++) hex += HEX[(w >>> (8 * i)) & 0xff];
  return hex;
}

const NEEDS_ESCAPE = /[&<>"'\n\r\t]/;

/**
 * Pacemaker's escaping of a digested value (checked against crm_simulate): not XML's for
 * whitespace. The executor records digests with it too, so that the scheduler's match.
 */
export function escapeDigestValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '    ');
}

/** MD5 of the parameters as Pacemaker writes them to digest: one `<parameters/>` element, attributes sorted by name. */
export function parametersDigest(params: ReadonlyMap<string, string>): string {
  const names = [...params.keys()].sort();
  const attrs = names.map((n) => ` ${n}="${escapeDigestValue(params.get(n) ?? '')}"`).join('');
  return md5Hex(` <parameters${attrs}/>\n`);
}

/** Bookkeeping attributes Pacemaker never digests. */
const NEVER_DIGESTED = new Set(['id', 'crm_feature_set', 'op-digest', 'on_node', 'on_node_uuid', 'pcmk_external_ip']);

/**
 * What an operation's `op-digest` covers: the parameters its agent was given (meta values left
 * out) and, for a recurring operation, its timeout in ms — a recurring op with another timeout is
 * another definition.
 */
export function digestedParameters(params: ReadonlyMap<string, string>, intervalMs: number, timeoutMs: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of params) if (!NEVER_DIGESTED.has(k) && !k.startsWith('CRM_meta_')) out.set(k, v);
  if (intervalMs > 0) out.set('CRM_meta_timeout', String(timeoutMs));
  return out;
}

/** The `op-digest` a node records for an operation run with these parameters. */
export function operationDigest(params: ReadonlyMap<string, string>, intervalMs: number, timeoutMs: number): string {
  return parametersDigest(digestedParameters(params, intervalMs, timeoutMs));
}
