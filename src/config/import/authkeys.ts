import type { ImportNote } from './result.js';

export interface AuthkeysImport {
  key?: Uint8Array;
  notes: ImportNote[];
}

/**
 * Heartbeat's authkeys: `auth N` picks the signing key among `N method secret` lines. vigil keeps
 * the signing key's secret as its cluster key; the wire then uses HMAC-SHA256 whatever the old
 * method was, so every node must be switched over together.
 */
export function importAuthkeys(text: string): AuthkeysImport {
  const notes: ImportNote[] = [];
  const keys = new Map<number, { method: string; secret: string; line: number }>();
  let auth: { index: number; line: number } | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    const words = content.split(/\s+/);
    if (words[0] === 'auth') {
      const index = Number(words[1]);
      if (!Number.isInteger(index)) notes.push({ directive: 'auth', line, status: 'unsupported', detail: `'${words[1] ?? ''}' is not a key index` });
      else auth = { index, line };
      return;
    }
    const index = Number(words[0]);
    if (!Number.isInteger(index) || index < 1 || index > 15 || words.length < 2) {
      notes.push({ directive: words[0], line, status: 'unsupported', detail: `not a key line ('INDEX METHOD SECRET', index 1–15)` });
      return;
    }
    keys.set(index, { method: words[1], secret: words.slice(2).join(' '), line });
  });
  if (auth === null) {
    notes.push({ directive: 'auth', status: 'unsupported', detail: 'authkeys has no "auth N" line: no signing key to import' });
    return { notes };
  }
  const chosen: { index: number; line: number } = auth;
  const signing = keys.get(chosen.index);
  for (const [index, k] of keys) {
    if (index === chosen.index) continue;
    notes.push({
      directive: `${index} ${k.method}`,
      line: k.line,
      status: 'ignored-with-reason',
      detail: 'an extra key accepted for incoming packets during rotation; vigil has one cluster key — rotate by replacing it on every node',
    });
  }
  if (!signing) {
    notes.push({ directive: `auth ${chosen.index}`, line: chosen.line, status: 'unsupported', detail: `auth names key ${chosen.index}, which is not defined` });
    return { notes };
  }
  if (signing.method === 'crc' || signing.secret === '') {
    notes.push({
      directive: `${chosen.index} ${signing.method}`,
      line: signing.line,
      status: 'unsupported',
      detail: 'key without a secret (crc): vigil always authenticates; generate a key (e.g. head -c 32 /dev/urandom)',
    });
    return { notes };
  }
  const key = new TextEncoder().encode(signing.secret);
  notes.push({
    directive: `auth ${chosen.index}`,
    line: chosen.line,
    status: 'translated',
    detail:
      `the ${signing.method} secret becomes the cluster key; packets are signed with HMAC-SHA256, not ${signing.method}` +
      (key.length < 16 ? ` — but it is only ${key.length} bytes, and vigil needs at least 16: generate a new key` : ''),
  });
  notes.push({ directive: `${chosen.index} ${signing.method}`, line: signing.line, status: 'translated', detail: 'imported as the cluster key' });
  return { key, notes };
}
