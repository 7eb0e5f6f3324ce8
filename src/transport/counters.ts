/**
 * What the transport saw, for `vigil status` and the logs. Every packet that is not delivered
 * lands in exactly one drop counter, so an attack or a misconfigured peer shows up as a number.
 */
export interface PacketCounters {
  sent: number;
  sendErrors: number;
  received: number;
  delivered: number;
  droppedMalformed: number;
  droppedBadMac: number;
  droppedBadCipher: number;
  droppedReplay: number;
  droppedUnknownSender: number;
  droppedPlaintext: number;
  streamRejected: number;
}

export type DropKind = 'droppedMalformed' | 'droppedBadMac' | 'droppedBadCipher' | 'droppedReplay' | 'droppedUnknownSender' | 'droppedPlaintext' | 'streamRejected';

export function zeroCounters(): PacketCounters {
  return {
    sent: 0,
    sendErrors: 0,
    received: 0,
    delivered: 0,
    droppedMalformed: 0,
    droppedBadMac: 0,
    droppedBadCipher: 0,
    droppedReplay: 0,
    droppedUnknownSender: 0,
    droppedPlaintext: 0,
    streamRejected: 0,
  };
}

/**
 * One log line per kind per interval at most: a flood of forged packets must not turn into a
 * flood of log writes that starves the heartbeat path.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly intervalMs: number,
    private readonly write: (kind: string, message: string, suppressed: number) => void,
  ) {}

  report(kind: string, message: string, nowMs: number): void {
    const entry = this.last.get(kind);
    if (entry !== undefined && nowMs - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.write(kind, message, entry?.suppressed ?? 0);
    this.last.set(kind, { at: nowMs, suppressed: 0 });
  }
}
