/**
 * Measures how late the tick timer fires: the event loop's delay as the heartbeat path sees it.
 * Keeps the worst value of the current and the previous minute for status.
 */
export class LoopMonitor {
  private worstNow = 0;
  private worstPrev = 0;
  private windowStart: number;
  private lastLag = 0;

  constructor(nowMs: number, private readonly windowMs = 60_000) {
    this.windowStart = nowMs;
  }

  record(lagMs: number, nowMs: number): void {
    if (nowMs - this.windowStart >= this.windowMs) {
      this.worstPrev = this.worstNow;
      this.worstNow = 0;
      this.windowStart = nowMs;
    }
    this.lastLag = lagMs;
    this.worstNow = Math.max(this.worstNow, lagMs);
  }

  snapshot(): { lastLagMs: number; worstLagMs: number } {
    return { lastLagMs: Math.round(this.lastLag), worstLagMs: Math.round(Math.max(this.worstNow, this.worstPrev)) };
  }
}
