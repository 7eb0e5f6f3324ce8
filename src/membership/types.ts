/** A node's name as the cluster knows it (what Pacemaker calls the uname). */
export type NodeName = string;

/** Heartbeat-style timers, all in milliseconds. Derive them with `deriveTiming(budgetMs)`. */
export interface Timing {
  /** Interval between heartbeats. */
  keepaliveMs: number;
  /** Silence after which a peer is suspected and a late-heartbeat event is raised. */
  warnMs: number;
  /** Silence (on every link) after which a peer is declared lost, when the local node is healthy. */
  deadMs: number;
  /** After start-up: how long to wait for the configured nodes before the cluster settles without them. */
  initDeadMs: number;
}

export interface QuorumOptions {
  /** Overrides the sum of the configured nodes' votes. */
  expectedVotes?: number;
  /** A two-node cluster: one vote is enough for quorum. */
  twoNode: boolean;
  /** No quorum until every configured node has been seen in one view. Undefined: on when twoNode is. */
  waitForAll?: boolean;
  /** Lower expected votes to the current partition's votes once it has been stable for the window. */
  lastManStanding: boolean;
  /** The window for lastManStanding; default 10 000 ms as votequorum. */
  lastManStandingWindowMs?: number;
}

export interface NodeEntry {
  name: NodeName;
  /** Unique, positive; the lower id wins coordinator and DC elections. */
  id: number;
  votes: number;
}

export interface MembershipConfig {
  self: NodeName;
  nodes: NodeEntry[];
  timing: Timing;
  quorum: QuorumOptions;
  /**
   * This process's incarnation: must be greater than any earlier incarnation of the same node
   * (the daemon persists a counter, or uses the boot's wall-clock milliseconds). Peers use it to
   * tell a restarted node from a late packet of its previous life.
   */
  incarnation: number;
  /**
   * The highest view id this node had recorded (Ready.persistViewId) before it restarted, so that
   * it never proposes a view id it used in an earlier life. Default 0.
   */
  lastViewId?: number;
}

/** How the local partition stands, in crm_mon's words. */
export type PartitionState = 'whole-cluster' | 'with-quorum' | 'without-quorum';

/**
 * The agreed view. Every member of a partition holds the same (id, coordinator) and hence the
 * same members, DC and quorum. Like Corosync's ring id, the pair identifies the view.
 */
export interface View {
  id: number;
  coordinator: NodeName;
  /** Sorted by node id. */
  members: NodeName[];
  /** Lowest node id among the members, once the cluster has settled (all nodes seen, or initdead over). */
  dc: NodeName | null;
  quorate: boolean;
  partition: PartitionState;
  votes: number;
  expectedVotes: number;
  /** Votes needed for quorum. */
  quorumVotes: number;
}

/** What the local node currently thinks of one configured node. */
export type PeerState =
  /** Never heard since start (initdead not over yet, or never seen). */
  | 'pending'
  /** Heard recently on at least one link. */
  | 'alive'
  /** Silent longer than warntime: suspected, not yet confirmed. */
  | 'suspect'
  /** Silent past deadtime but held: its host answers for its daemon, which is stopped or starved. */
  | 'stalled'
  /** Silent past deadtime on every link, or never heard after initdead. */
  | 'lost'
  /** Announced that it was shutting down cleanly; out until it comes back with a new incarnation. */
  | 'left';

export interface PeerStatus {
  name: NodeName;
  id: number;
  self: boolean;
  state: PeerState;
  inView: boolean;
  incarnation: number | null;
  /** Milliseconds since last heard, per link index; null where never heard. */
  silentMsByLink: (number | null)[];
}

export type MembershipEvent =
  | { type: 'view-changed'; view: View; previous: View }
  | { type: 'node-joined'; node: NodeName }
  | { type: 'node-lost'; node: NodeName }
  /** Dropped from the view because it announced a clean shutdown, not because it fell silent. */
  | { type: 'node-left'; node: NodeName }
  | { type: 'late-heartbeat'; node: NodeName; silentMs: number }
  | { type: 'peer-restarted'; node: NodeName; incarnation: number }
  | { type: 'link-down'; node: NodeName; link: number }
  | { type: 'link-up'; node: NodeName; link: number }
  | { type: 'quorum-gained'; viewId: number }
  | { type: 'quorum-lost'; viewId: number }
  | { type: 'dc-changed'; dc: NodeName | null; previous: NodeName | null }
  /** The local loop was late (stall noticed between ticks, or reported); accusations are held back. */
  | { type: 'local-stall'; gapMs: number; healthScore: number }
  /**
   * Silent past deadtime, but its host's kernel still completes connections to its daemon's port:
   * the daemon is stalled (SIGSTOP, CPU starvation), not gone. It is declared lost only if it
   * stays silent for `holdMs`, or its host stops answering.
   */
  | { type: 'peer-stalled'; node: NodeName; silentMs: number; holdMs: number };

/**
 * Wire messages: small JSON-serialisable objects carried in one UDP datagram. Node ids, not names,
 * keep them short. `inc` is the sender's incarnation. The `t` values are part of the protocol:
 * only add new ones.
 */
export type MembershipMessage =
  | HeartbeatMessage
  | ProposeMessage
  | AckMessage
  | NackMessage
  | CommitMessage
  | LeaveMessage;

export interface HeartbeatMessage {
  t: 'hb';
  inc: number;
  /** The sender's current view: id, coordinator id, member ids. */
  vid: number;
  vco: number;
  vm: number[];
  /** Ids of the peers the sender hears on some link. */
  heard: number[];
  /** The sender has settled (initdead over, or all nodes seen): its coordinator may name a DC. */
  st: boolean;
}

export interface ProposeMessage {
  t: 'propose';
  inc: number;
  vid: number;
  members: number[];
}

/** The member's acceptance, with what it knows that the coordinator folds into the view. */
export interface AckMessage {
  t: 'ack';
  inc: number;
  vid: number;
  /** The member has seen all configured nodes in one view (wait_for_all satisfied). */
  allSeen: boolean;
  /** The member has settled (initdead over, or all nodes seen). */
  settled: boolean;
  /** The member's current expected votes (last_man_standing may have lowered it). */
  expected: number;
}

export interface NackMessage {
  t: 'nack';
  inc: number;
  vid: number;
  /** The member's own view id, so the coordinator can propose above it. */
  have: number;
}

export interface CommitMessage {
  t: 'commit';
  inc: number;
  vid: number;
  members: number[];
  allSeen: boolean;
  settled: boolean;
  expected: number;
  /**
   * Members of the previous view dropped because they announced their leave: a member whose copy
   * of the leave is still on its way then reports them left, as the coordinator does. Absent when none.
   */
  left?: number[];
}

/**
 * The sender is shutting down cleanly, its resources already gone: drop it from the view now
 * instead of after deadtime. It ends the incarnation `inc`: nothing more is taken from that life.
 */
export interface LeaveMessage {
  t: 'leave';
  inc: number;
  /** The sender's view id when it left (every message carries one; it only raises maxVid). */
  vid: number;
}

/**
 * Effects of one call, to be carried out by the caller in order: persist the view id if asked,
 * send the messages (a message to 'all' goes to every other configured node, on every link), then
 * act on the events.
 */
export interface Ready {
  /**
   * When set: record this view id durably BEFORE sending the messages, and pass it back as
   * `lastViewId` after a restart. A coordinator that forgot its view ids could reuse one. It is a
   * ceiling above the ids in use, so most view changes need no write.
   */
  persistViewId?: number;
  send: { to: NodeName | 'all'; msg: MembershipMessage }[];
  events: MembershipEvent[];
  /**
   * Peers gone quiet: ask their hosts' kernels whether the daemon still holds its port (a TCP
   * connection to it completes, whatever its process is doing) and report each completed one
   * with `probeAnswered()`. A refused or unanswered probe needs no report. Absent when none.
   */
  probe?: NodeName[];
}

/** Counters of received input that was refused; shown in status. */
export interface MembershipStats {
  malformed: number;
  unknownSender: number;
  staleIncarnation: number;
}
