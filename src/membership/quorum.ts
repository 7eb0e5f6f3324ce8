import type { NodeEntry, QuorumOptions } from './types.js';

export const DEFAULT_LAST_MAN_STANDING_WINDOW_MS = 10_000;

/** votequorum's rule: two_node turns wait_for_all on unless it was explicitly turned off. */
export function waitForAllEnabled(options: QuorumOptions): boolean {
  return options.waitForAll ?? options.twoNode;
}

export function configuredVotes(nodes: readonly NodeEntry[]): number {
  return nodes.reduce((sum, n) => sum + n.votes, 0);
}

/** Expected votes at start: the explicit setting, else the sum of the configured nodes' votes. */
export function initialExpectedVotes(nodes: readonly NodeEntry[], options: QuorumOptions): number {
  return options.expectedVotes ?? configuredVotes(nodes);
}

/**
 * Votes needed for quorum: more than half of the expected votes. two_node forces it to one, as
 * votequorum does, but only while the cluster really has two nodes expected.
 */
export function quorumThreshold(expectedVotes: number, options: QuorumOptions): number {
  if (options.twoNode && expectedVotes === 2) return 1;
  return Math.floor(expectedVotes / 2) + 1;
}

export interface QuorumInput {
  viewVotes: number;
  expectedVotes: number;
  /** All configured nodes have been seen together in one view at least once. */
  allSeen: boolean;
}

export interface QuorumResult {
  quorate: boolean;
  quorumVotes: number;
}

export function evaluateQuorum(input: QuorumInput, options: QuorumOptions): QuorumResult {
  const quorumVotes = quorumThreshold(input.expectedVotes, options);
  const waiting = waitForAllEnabled(options) && !input.allSeen;
  return { quorate: !waiting && input.viewVotes >= quorumVotes, quorumVotes };
}

/**
 * Expected votes never fall below what the current partition holds (a node that joins adds its
 * votes). last_man_standing lowers them to the partition's votes, but only from a quorate, stable
 * partition: a partition that lost quorum must not talk itself back into it.
 */
export function nextExpectedVotes(
  current: number,
  viewVotes: number,
  lms: { enabled: boolean; quorate: boolean; stableForMs: number; windowMs: number },
): number {
  if (viewVotes > current) return viewVotes;
  if (lms.enabled && lms.quorate && lms.stableForMs >= lms.windowMs && viewVotes < current) return viewVotes;
  return current;
}
