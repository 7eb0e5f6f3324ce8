import type { MembershipStats, PeerStatus, TimingFigures, View } from '../membership/index.js';
import type { PacketCounters } from '../transport/index.js';
import type { CibVersion } from './cib-version.js';

/** What the daemon answers to `status`: the membership picture, the counters and the CIB. */
export interface DaemonStatus {
  cluster: string;
  node: string;
  incarnation: number;
  uptimeS: number;
  view: View;
  peers: PeerStatus[];
  health: { score: number; lastLagMs: number; worstLagMs: number };
  timing: TimingFigures;
  links: { index: number; mode: string; port: number }[];
  /** `controller.staleIncarnation`: controller messages dropped as coming from a peer's earlier life. */
  counters: PacketCounters & { membership: MembershipStats; controller: { staleIncarnation: number } };
  cibVersion: CibVersion;
  /** The local copy of the CIB, serialised. */
  cib: string;
}
