import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './passwords.js';

export interface Session {
  token: string;
  user: string;
  role: Role;
  /** Sent back on every state-changing request (X-CSRF-Token): a cookie alone proves nothing. */
  csrf: string;
  createdMs: number;
  lastSeenMs: number;
}

export interface SessionLimits {
  idleMs: number;
  maxAgeMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

/** Sessions live in memory: restarting the console logs everyone out, which is the safe side. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly now: () => number,
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  create(user: string, role: Role): Session {
    this.sweep();
    const t = this.now();
    const session = { token: randomBytes(32).toString('base64url'), user, role, csrf: randomBytes(32).toString('base64url'), createdMs: t, lastSeenMs: t };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The live session for a cookie value, refreshed; undefined when unknown or expired. */
  get(token: string | undefined): Session | undefined {
    if (token === undefined) return undefined;
    const s = this.sessions.get(token);
    if (s === undefined) return undefined;
    const t = this.now();
    if (t - s.lastSeenMs > this.limits.idleMs || t - s.createdMs > this.limits.maxAgeMs) {
      this.sessions.delete(token);
      return undefined;
    }
    s.lastSeenMs = t;
    return s;
  }

  delete(token: string): void {
    this.sessions.delete(token);
  }

  /** Ends every session of a user (their password changed or they were removed). */
  deleteUser(user: string): void {
    for (const [k, s] of this.sessions) if (s.user === user) this.sessions.delete(k);
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, s] of this.sessions) if (t - s.lastSeenMs > this.limits.idleMs || t - s.createdMs > this.limits.maxAgeMs) this.sessions.delete(k);
  }
}

export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
