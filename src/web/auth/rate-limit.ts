/**
 * Failed logins per key (client address, and user name) in a sliding window: past the limit a
 * key is refused until its oldest failure leaves the window. Successful logins are not counted.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    readonly maxFailures = 5,
    readonly windowMs = 60_000,
  ) {}

  /** Milliseconds until a key may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.maxFailures) return 0;
    return recent[recent.length - this.maxFailures] + this.windowMs - this.now();
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    // Bounded: a flood of distinct keys must not grow memory without end.
    if (this.failures.size > 10_000) for (const k of [...this.failures.keys()].slice(0, 5_000)) this.failures.delete(k);
  }

  private recent(key: string): number[] {
    const t = this.now();
    const list = (this.failures.get(key) ?? []).filter((at) => t - at < this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}
