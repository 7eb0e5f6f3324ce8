import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, parseUsers, readUsers, removeUser, verifyPassword, writeUser } from '../../src/web/auth/passwords.js';
import { LoginLimiter } from '../../src/web/auth/rate-limit.js';
import { csrfMatches, SessionStore } from '../../src/web/auth/sessions.js';
import { lineDiff } from '../../src/web/line-diff.js';

describe('password hashes', () => {
  it('are salted scrypt: two hashes of one password differ, and both verify', async () => {
    const a = await hashPassword('s3cret pass');
    const b = await hashPassword('s3cret pass');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret pass', a)).toBe(true);
    expect(await verifyPassword('s3cret pass', b)).toBe(true);
    expect(await verifyPassword('s3cret pasS', a)).toBe(false);
    expect(await verifyPassword('anything', undefined)).toBe(false);
  });

  it('refuse a tampered cost that would make one login expensive', async () => {
    const h = await hashPassword('pw');
    expect(await verifyPassword('pw', h.replace('$32768$', '$4194304$'))).toBe(false);
  });
});

describe('users file', () => {
  it('is written atomically, owner-only, and re-read; a user can be replaced and removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-web-users-'));
    try {
      const file = join(dir, 'etc', 'users');
      writeUser(file, { name: 'ann', role: 'admin', hash: await hashPassword('one') });
      writeUser(file, { name: 'bob', role: 'viewer', hash: await hashPassword('two') });
      writeUser(file, { name: 'ann', role: 'viewer', hash: await hashPassword('three') });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const users = readUsers(file);
      expect(users.map((u) => [u.name, u.role])).toEqual([['bob', 'viewer'], ['ann', 'viewer']]);
      expect(await verifyPassword('three', users[1].hash)).toBe(true);
      expect(removeUser(file, 'bob')).toBe(true);
      expect(removeUser(file, 'bob')).toBe(false);
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the line and the problem when it is malformed', () => {
    expect(() => parseUsers('ann:admin\n', 'f')).toThrow('f:1: expected NAME:ROLE:HASH');
    expect(() => parseUsers('# c\nann:root:scrypt$1024$8$1$AA==$AA==\n', 'f')).toThrow("f:2: role must be admin or viewer, not 'root'");
    expect(() => parseUsers('a n:admin:x\n', 'f')).toThrow("'a n' is not a valid user name");
    expect(() => parseUsers('ann:admin:md5$abc\n', 'f')).toThrow("the password hash of 'ann' is not a scrypt hash");
    const line = 'ann:admin:scrypt$1024$8$1$AA==$AA==';
    expect(() => parseUsers(`${line}\n${line}\n`, 'f')).toThrow("f:2: user 'ann' is listed twice");
    const dir = mkdtempSync(join(tmpdir(), 'vigil-web-users-'));
    writeFileSync(join(dir, 'u'), '');
    expect(readUsers(join(dir, 'u'))).toEqual([]);
    expect(readUsers(join(dir, 'absent'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('sessions', () => {
  it('expire when idle and at their maximum age, and carry their own CSRF token', () => {
    let t = 0;
    const store = new SessionStore(() => t, { idleMs: 1000, maxAgeMs: 2500 });
    const s = store.create('ann', 'admin');
    expect(csrfMatches(s, s.csrf)).toBe(true);
    expect(csrfMatches(s, store.create('bob', 'admin').csrf)).toBe(false);
    expect(csrfMatches(s, undefined)).toBe(false);
    t = 900;
    expect(store.get(s.token)?.user).toBe('ann');
    t = 1800;
    expect(store.get(s.token)?.user).toBe('ann');
    t = 2600;
    expect(store.get(s.token)).toBeUndefined();
    const idle = store.create('ann', 'admin');
    t += 1001;
    expect(store.get(idle.token)).toBeUndefined();
    expect(store.get('not-a-token')).toBeUndefined();
  });

  it('end together when a user is removed', () => {
    const store = new SessionStore(() => 0);
    const a = store.create('ann', 'admin');
    const b = store.create('bob', 'viewer');
    store.deleteUser('ann');
    expect(store.get(a.token)).toBeUndefined();
    expect(store.get(b.token)?.role).toBe('viewer');
  });
});

describe('login limiter', () => {
  it('refuses after the limit within the window and says for how long', () => {
    let t = 0;
    const l = new LoginLimiter(() => t, 3, 10_000);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('k')).toBe(0);
      l.fail('k');
      t += 1000;
    }
    expect(l.retryAfterMs('k')).toBe(7000);
    expect(l.retryAfterMs('other')).toBe(0);
    t = 10_001;
    expect(l.retryAfterMs('k')).toBe(0);
  });
});

describe('line diff', () => {
  it('keeps common lines and shows removals before additions', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'B' },
      { op: ' ', text: 'c' },
    ]);
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.op === ' ')).toBe(true);
  });

  it('rebuilds both sides exactly, even past the size where it stops looking for the best diff', () => {
    const before = Array.from({ length: 300 }, (_, i) => `line ${i % 37}`).join('\n');
    const after = Array.from({ length: 280 }, (_, i) => `line ${(i * 7) % 41}`).join('\n');
    for (const max of [4_000_000, 10]) {
      const d = lineDiff(before, after, max);
      expect(d.filter((l) => l.op !== '+').map((l) => l.text).join('\n')).toBe(before);
      expect(d.filter((l) => l.op !== '-').map((l) => l.text).join('\n')).toBe(after);
    }
  });
});
