/** MD5 of a UTF-8 string, as hex: Pacemaker's operation digests are MD5 sums of parameter XML. */

const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    let c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else {
      c -= 0;
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return out;
}

export function md5Hex(text: string): string {
  const bytes = utf8(text);
  const bitLen = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  for (let i = 0; i < 8; i++) bytes.push(i < 4 ? (bitLen >>> (8 * i)) & 0xff : Math.floor(bitLen / 2 ** (8 * i)) & 0xff);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  const m = new Array<number>(16);
  for (let off = 0; off < bytes.length; off += 64) {
    for (let i = 0; i < 16; i++) m[i] = bytes[off + 4 * i] | (bytes[off + 4 * i + 1] << 8) | (bytes[off + 4 * i + 2] << 16) | (bytes[off + 4 * i + 3] << 24);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      const tmp = d;
      d = c;
      c = b;
      const x = (a + f + K[i] + m[g]) >>> 0;
      b = (b + ((x << S[i]) | (x >>> (32 - S[i])))) >>> 0;
      a = tmp;
    }
    a0 = (a0 + a) >>> 0;
    b0 = (b0 + b) >>> 0;
    c0 = (c0 + c) >>> 0;
    d0 = (d0 + d) >>> 0;
  }
  let hex = '';
  for (const w of [a0, b0, c0, d0]) for (let i = 0; i < 4; i++) hex += ((w >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  return hex;
}

/** Pacemaker's escaping of a digested value (checked against crm_simulate): not XML's for whitespace. */
function escapeValue(v: string): string {
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
  const attrs = names.map((n) => ` ${n}="${escapeValue(params.get(n) ?? '')}"`).join('');
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
