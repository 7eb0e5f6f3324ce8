/**
 * Lifeguard's local health awareness: a node whose own event loop ran late cannot trust its sense
 * of how long peers have been silent. The score rises on each noticed stall and decays while the
 * loop runs on time; failure timeouts are stretched by (1 + score).
 */
export const MAX_HEALTH_SCORE = 3;

export class LocalHealth {
  private score = 0;
  private lastChangeMs: number;

  constructor(
    nowMs: number,
    private readonly decayEveryMs: number,
  ) {
    this.lastChangeMs = nowMs;
  }

  get value(): number {
    return this.score;
  }

  /** The factor by which failure timeouts are stretched. */
  get multiplier(): number {
    return 1 + this.score;
  }

  degrade(nowMs: number): void {
    this.score = Math.min(MAX_HEALTH_SCORE, this.score + 1);
    this.lastChangeMs = nowMs;
  }

  /** When the score next drops by a step, or null while it is 0. */
  nextChangeMs(): number | null {
    return this.score > 0 ? this.lastChangeMs + this.decayEveryMs : null;
  }

  /** One step of recovery per decay period spent on time. */
  advance(nowMs: number): void {
    while (this.score > 0 && nowMs - this.lastChangeMs >= this.decayEveryMs) {
      this.score -= 1;
      this.lastChangeMs += this.decayEveryMs;
    }
    if (this.score === 0) this.lastChangeMs = Math.max(this.lastChangeMs, nowMs - this.decayEveryMs);
  }
}
