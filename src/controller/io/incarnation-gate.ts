import { RateLimitedLog } from '../../transport/counters.js';
import type { ControllerFrame } from './messages.js';

/** A peer's stale frames are logged at most this often (a retransmitted backlog comes in bursts). */
const LOG_INTERVAL_MS = 10_000;

/**
 * Lets through only what a peer's current life says. A fenced node's kernel retransmits what its
 * killed daemon had buffered once the link is back, and the node may have rejoined by then (the
 * DC's view no longer keeps it out) while its new daemon has not yet opened the connection that
 * would close the old one: an operation result of that earlier life, recorded, shows a resource
 * active that the fencing stopped, and the node is fenced again. Membership knows each peer's
 * current incarnation from its heartbeats; a frame from an older one is dropped, counted and
 * logged. A frame without an incarnation (a daemon from before it was sent) or from a peer
 * membership never heard from cannot be judged, and passes: the controller still records no
 * report about a node outside its view.
 */
export class IncarnationGate {
  private stale = 0;
  private readonly reports: RateLimitedLog;

  constructor(
    private readonly currentIncarnation: (node: string) => number | null,
    log: (message: string) => void,
  ) {
    this.reports = new RateLimitedLog(LOG_INTERVAL_MS, (_peer, message, suppressed) =>
      log(suppressed > 0 ? `${message} (and ${suppressed} more since the last report)` : message),
    );
  }

  admits(from: string, frame: ControllerFrame, nowMs: number): boolean {
    const current = this.currentIncarnation(from);
    if (frame.inc === null || current === null || frame.inc >= current) return true;
    this.stale += 1;
    this.reports.report(from, `dropped ${frame.msg.t} from ${from}'s earlier life (incarnation ${frame.inc}, now ${current})`, nowMs);
    return false;
  }

  /** Frames dropped so far, for status. */
  get dropped(): number {
    return this.stale;
  }
}
