import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The console's users: a text file, one user a line, `NAME:ROLE:scrypt$N$r$p$SALT$HASH` (salt and
 * hash in base64). An administrator may act; a viewer may only look.
 */

export type Role = 'admin' | 'viewer';

export interface UserRecord {
  name: string;
  role: Role;
  hash: string;
}

export const DEFAULT_USERS_FILE = '/etc/vigil/web-users';

export function usersFilePath(explicit?: string): string {
  return explicit ?? process.env.VIGIL_WEB_USERS ?? DEFAULT_USERS_FILE;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
// N=2^15 costs ~50 ms here: slow enough to make guessing expensive, fast enough for a login.
const COST = { N: 32768, r: 8, p: 1 };
const KEY_LEN = 32;

export class UsersFileError extends Error {
  override name = 'UsersFileError';
}

export function validUserName(name: string): boolean {
  return NAME.test(name);
}

function scrypt(password: string, salt: Buffer, keyLen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keyLen, { ...options, maxmem: 256 * options.N! * options.r! }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: string): ParsedHash | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a tampered file from making one login cost gigabytes or minutes.
  if (N < 1024 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return { N, r, p, salt: Buffer.from(m[4], 'base64'), key: Buffer.from(m[5], 'base64') };
}

// Checked for unknown users too, so that the answer takes as long whether the name exists or not.
const DUMMY_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LEN).toString('base64')}`;

export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const parsed = parseHash(hash ?? DUMMY_HASH) ?? parseHash(DUMMY_HASH)!;
  const key = await scrypt(password, parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p });
  return hash !== undefined && parseHash(hash) !== undefined && timingSafeEqual(key, parsed.key);
}

export function parseUsers(text: string, source: string): UserRecord[] {
  const users: UserRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [name, role, hash, ...rest] = line.split(':');
    const where = `${source}:${i + 1}`;
    if (rest.length > 0 || hash === undefined) throw new UsersFileError(`${where}: expected NAME:ROLE:HASH`);
    if (!validUserName(name)) throw new UsersFileError(`${where}: '${name}' is not a valid user name (letters, digits, . _ -)`);
    if (role !== 'admin' && role !== 'viewer') throw new UsersFileError(`${where}: role must be admin or viewer, not '${role}'`);
    if (parseHash(hash) === undefined) throw new UsersFileError(`${where}: the password hash of '${name}' is not a scrypt hash vigil wrote`);
    if (users.some((u) => u.name === name)) throw new UsersFileError(`${where}: user '${name}' is listed twice`);
    users.push({ name, role, hash });
  });
  return users;
}

export function readUsers(path: string): UserRecord[] {
  if (!existsSync(path)) return [];
  return parseUsers(readFileSync(path, 'utf8'), path);
}

/** Adds or replaces a user; the file is rewritten atomically and readable by its owner only. */
export function writeUser(path: string, user: UserRecord): void {
  const users = readUsers(path).filter((u) => u.name !== user.name);
  users.push(user);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, users.map((u) => `${u.name}:${u.role}:${u.hash}\n`).join(''), { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeUser(path: string, name: string): boolean {
  const users = readUsers(path);
  const kept = users.filter((u) => u.name !== name);
  if (kept.length === users.length) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, kept.map((u) => `${u.name}:${u.role}:${u.hash}\n`).join(''), { mode: 0o600 });
  renameSync(tmp, path);
  return true;
}
