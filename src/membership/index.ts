/**
 * Membership: failure detection, agreed views, quorum and the DC, as a pure state machine.
 * The daemon owns the clock and the sockets: it calls `tick(now)` every `tickIntervalMs(timing)`,
 * hands every authenticated message to `receive(from, msg, now, link)`, and carries out each
 * returned `Ready` (send the messages, probe the hosts named and report answers with
 * `probeAnswered()`, then act on the events).
 */
export { Membership, MembershipConfigError } from './membership.js';
export { parseMembershipMessage } from './messages.js';
export {
  DEFAULT_LAST_MAN_STANDING_WINDOW_MS,
  evaluateQuorum,
  quorumThreshold,
  waitForAllEnabled,
} from './quorum.js';
export {
  DEFAULT_BUDGET_MS,
  MIN_BUDGET_MS,
  MIN_KEEPALIVE_MS,
  TIGHTEST_RECOMMENDED_BUDGET_MS,
  TimingError,
  deriveTiming,
  stallHoldMs,
  tickIntervalMs,
  timingFigures,
  type TimingFigures,
  validateTiming,
  worstCaseDetectionMs,
} from './timing.js';
export type * from './types.js';
