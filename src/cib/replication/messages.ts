import type { CibPatch } from '../diff.js';
import type { CibVersion } from '../model/types.js';

/** What replication needs to know of a membership view. */
export interface ReplicaView {
  id: number;
  members: readonly string[];
  dc: string | null;
  quorate: boolean;
}

/**
 * What nodes tell each other about the CIB, over a reliable, ordered channel. `view` is the
 * membership view id the sender acted in: a message from an older view is stale. `C` is the
 * kind of change a client can ask for (the daemon's CibChange); replication only carries it.
 */
export type ReplicationMessage<C> =
  /** DC → member: say which version you hold (start of a join round). */
  | { t: 'cib-offer-req'; view: number }
  /**
   * `committed`: this node knows its configuration (admin_epoch, epoch) was committed, i.e. every
   * member of the partition that made it persisted it. At an equal epoch such a copy beats one
   * that is not known to be: a change the DC could not commit must not win over one it did.
   */
  | { t: 'cib-offer'; view: number; version: CibVersion; committed?: boolean }
  /** DC → the member holding the newest copy: send it. */
  | { t: 'cib-fetch'; view: number }
  | { t: 'cib-fetched'; view: number; xml: string }
  /** DC → member: persist this CIB and acknowledge commit `commit`. */
  | { t: 'cib-full'; view: number; commit: number; xml: string }
  /** DC → member: the change from the version the member acknowledged last (smaller than the CIB). */
  | { t: 'cib-patch'; view: number; commit: number; patch: CibPatch }
  /**
   * `needFull`: the member holds another base version than the patch's; the DC sends the whole CIB.
   * `newer`: the member holds a newer CIB than the one pushed (it missed the join round's offers);
   * the DC runs the round again so that the newest copy still wins.
   */
  | { t: 'cib-ack'; view: number; commit: number; ok: boolean; error?: string; needFull?: boolean; newer?: CibVersion }
  /** DC → members: commit `commit` (CIB `version`) is on every member's disk. */
  | { t: 'cib-committed'; view: number; commit: number; version: CibVersion }
  /** Member → DC: a change a local client asked for. */
  | { t: 'cib-change'; req: string; change: C }
  | { t: 'cib-change-result'; req: string; ok: boolean; version?: CibVersion; error?: string; refused?: boolean };
