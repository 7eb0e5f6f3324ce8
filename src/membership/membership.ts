import { LocalHealth } from './health.js';
import { parseMembershipMessage } from './messages.js';
import {
  DEFAULT_LAST_MAN_STANDING_WINDOW_MS,
  evaluateQuorum,
  initialExpectedVotes,
  nextExpectedVotes,
} from './quorum.js';
import { STALL_HOLD_DEADTIMES, tickIntervalMs, validateTiming } from './timing.js';
import type {
  AckMessage,
  CommitMessage,
  HeartbeatMessage,
  LeaveMessage,
  MembershipConfig,
  MembershipEvent,
  MembershipMessage,
  MembershipStats,
  NodeEntry,
  NodeName,
  PeerStatus,
  Ready,
  View,
} from './types.js';

export class MembershipConfigError extends Error {
  override name = 'MembershipConfigError';
}

/** What a peer last told us about itself. */
interface Peer {
  entry: NodeEntry;
  inc: number | null;
  lastHeardByLink: (number | null)[];
  linkDown: boolean[];
  /** From the latest heartbeat: whom the peer hears, the view it is in, whether it has settled. */
  heard: Set<number>;
  view: { vid: number; vco: number; vm: number[] } | null;
  settled: boolean;
  /** Whether we currently count the peer alive (heard within the deadline). */
  alive: boolean;
  lateReported: boolean;
  commitResentAtMs: number | null;
  /** The incarnation the peer announced it was leaving from; its messages are ignored until a newer one. */
  leftInc: number | null;
  /** When we last asked for its host's kernel to be probed (see Ready.probe). */
  probeSentAtMs: number | null;
  /** The sending time of the latest probe its host answered: the daemon held its port then. */
  answeredAtMs: number | null;
  /** A peer-stalled event was raised for its current silence. */
  stallReported: boolean;
  /** While we are leaving: when we last told this peer so. */
  leaveSentAtMs: number | null;
}

interface Pending {
  vid: number;
  members: number[];
  acks: Map<number, AckMessage>;
  incs: Map<number, number>;
  sentAtMs: number;
  lowerExpected: boolean;
}

/** The quorum facts a view carries; decided by its coordinator so that every member agrees. */
interface ViewFacts {
  allSeen: boolean;
  settled: boolean;
  expected: number;
}

/**
 * View ids are recorded this far ahead of the highest one used, so that only one view change in
 * so many waits for the disk: an fsync'd write takes 10 ms and more on a busy machine, and it
 * sits on the path of every detection (before the proposal and before each ack). A restarted node
 * starts above the recorded ceiling, so it skips up to this many ids and never reuses one.
 */
const VIEW_IDS_RESERVED = 1000;

/**
 * Copies of a leave sent at once: one lost datagram must not cost the peers a deadtime. Peers that
 * still count on us after that are told again, once per keepalive, while we stay up.
 */
const LEAVE_COPIES = 3;

/** Stalls shorter than this many keepalives are ordinary timer jitter. */
const STALL_KEEPALIVES = 2;

/**
 * How long one answered probe vouches for a silent peer: probes go out once per keepalive, so this
 * covers one probe lost or slow on top of a round trip. A daemon killed while held is noticed
 * within that time, its host's kernel refusing the next probe.
 */
const PROBE_VOUCHES_KEEPALIVES = 3;

/**
 * The failure detector and view agreement of one node, as a pure state machine: time comes in as
 * an argument, messages go out in the returned `Ready`. Heartbeats carry whom the sender hears and
 * which view it holds, so each node knows which links work in both directions ("mutual" peers).
 * The lowest-id node among a node's mutual peers coordinates: it proposes the largest set of nodes
 * that all hear each other, collects every member's ack, then commits a view with a higher id.
 */
export class Membership {
  private readonly selfEntry: NodeEntry;
  private readonly byId = new Map<number, NodeEntry>();
  private readonly byName = new Map<NodeName, NodeEntry>();
  private readonly peers = new Map<number, Peer>();
  private readonly health: LocalHealth;
  private readonly startMs: number;
  private readonly tickMs: number;
  private readonly stats_: MembershipStats = { malformed: 0, unknownSender: 0, staleIncarnation: 0 };

  private nowMs: number;
  private lastTickMs: number;
  private lastHbSentMs: number | null = null;
  /** The earliest wake-up nextDeadlineMs() has named since the last tick; Infinity if none. */
  private wakeAtMs = Infinity;
  private current: View;
  private currentIds: number[];
  private currentIncs = new Map<number, number>();
  private viewSinceMs: number;
  private maxVid: number;
  private persistedVid: number;
  private facts: ViewFacts;
  /** Learnt once and kept for this incarnation: all nodes seen together, initdead over or all seen. */
  private known: { allSeen: boolean; settled: boolean };
  private pending: Pending | null = null;
  private lastCommit: CommitMessage | null = null;
  /** The highest proposal acked, so that a stale proposal cannot be acked after a newer one. */
  private promised: { vid: number; atMs: number } | null = null;
  private needsNewView = false;
  /** After a refusal, no new proposal before this time. */
  private retryAtMs = 0;
  /** When leave() was called: from then on this node only announces its departure. */
  private leftAtMs: number | null = null;
  private out: Ready = { send: [], events: [] };

  constructor(
    private readonly config: MembershipConfig,
    nowMs: number,
  ) {
    validateConfig(config);
    validateTiming(config.timing);
    for (const n of config.nodes) {
      this.byId.set(n.id, n);
      this.byName.set(n.name, n);
    }
    this.selfEntry = this.byName.get(config.self) as NodeEntry;
    for (const n of config.nodes) if (n.id !== this.selfEntry.id) this.peers.set(n.id, newPeer(n));
    this.maxVid = config.lastViewId ?? 0;
    this.persistedVid = this.maxVid;
    this.nowMs = nowMs;
    this.lastTickMs = nowMs;
    this.startMs = nowMs;
    this.viewSinceMs = nowMs;
    this.tickMs = tickIntervalMs(config.timing);
    // Trust returns after two deadtimes on time: long enough that a peer silent since the stall is
    // judged on the stretched timeout, short enough that real failures are again caught in budget.
    this.health = new LocalHealth(nowMs, 2 * config.timing.deadMs);
    const alone = config.nodes.length === 1;
    this.facts = { allSeen: alone, settled: alone, expected: initialExpectedVotes(config.nodes, config.quorum) };
    this.known = { allSeen: alone, settled: alone };
    this.currentIds = [this.selfEntry.id];
    this.currentIncs.set(this.selfEntry.id, config.incarnation);
    this.current = this.makeView(0, this.selfEntry.id, this.currentIds, this.facts);
  }

  view(): View {
    return this.current;
  }

  stats(): MembershipStats {
    return { ...this.stats_ };
  }

  /** The local health score (0 = healthy); failure timeouts are stretched by 1 + score. */
  healthScore(): number {
    return this.health.value;
  }

  nodes(): PeerStatus[] {
    return this.config.nodes
      .slice()
      .sort((a, b) => a.id - b.id)
      .map((n) => {
        const inView = this.currentIds.includes(n.id);
        if (n.id === this.selfEntry.id) {
          return { name: n.name, id: n.id, self: true, state: 'alive', inView, incarnation: this.config.incarnation, silentMsByLink: [] };
        }
        const p = this.peer(n.id);
        const silent = p.lastHeardByLink.map((t) => (t === null ? null : this.nowMs - t));
        const state = p.leftInc !== null
          ? 'left'
          : p.lastHeardByLink.every((t) => t === null)
          ? this.settledLocally()
            ? 'lost'
            : 'pending'
          : !p.alive
            ? 'lost'
            : p.stallReported
              ? 'stalled'
              : p.lateReported
                ? 'suspect'
                : 'alive';
        return { name: n.name, id: n.id, self: false, state, inView, incarnation: p.inc, silentMsByLink: silent };
      });
  }

  /** Advances time: sends heartbeats, notices silent peers and stalls of our own loop, drives views. */
  tick(nowMs: number): Ready {
    this.advanceClock(nowMs);
    // Lateness is measured against when we were due: the interval for a caller that ticks at a
    // fixed rate, the deadline we named for one that sleeps until it. A gap that was only the
    // sleep we asked for is no stall.
    const dueMs = this.lastTickMs + this.tickMs;
    const lateMs = this.nowMs - (this.wakeAtMs === Infinity ? dueMs : Math.max(dueMs, this.wakeAtMs));
    this.lastTickMs = this.nowMs;
    this.wakeAtMs = Infinity;
    if (lateMs > STALL_KEEPALIVES * this.config.timing.keepaliveMs - this.tickMs) this.noticeStall(lateMs);
    this.health.advance(this.nowMs);
    if (this.leftAtMs !== null) {
      // Leaving: no heartbeats, no views. Peers that fall silent stop counting on us (hasLeft).
      this.checkPeers();
      return this.flush();
    }
    // Whom we hear changed: tell the peers now rather than at the next heartbeat, so that a
    // coordinator waiting for us to give up on a lost node can propose the view without it.
    if (this.checkPeers()) this.sendHeartbeat();
    else this.maybeHeartbeat();
    this.drive();
    return this.flush();
  }

  /**
   * The time at which `tick()` next has something to do: a heartbeat to send, a peer turning late
   * or dead, a link going down, a proposal timing out, initdead or a quorum window ending, the
   * health score decaying. Always later than the last time given. A caller may tick earlier
   * (harmless) but not later, so a daemon can sleep until then instead of polling; receive()
   * may make it earlier, so ask again after each call. The answer is remembered, so that a tick
   * that comes this late is not taken for a stall of the local loop.
   */
  nextDeadlineMs(): number {
    const { keepaliveMs, warnMs, initDeadMs } = this.config.timing;
    const mult = this.health.multiplier;
    const deadline = this.deadlineMs();
    // Strict "silent longer than" comparisons act from the next whole millisecond on.
    let due = this.leftAtMs === null ? this.nextHeartbeatMs() : this.nowMs + keepaliveMs;
    const at = (t: number): void => {
      if (t < due) due = t;
    };
    for (const p of this.peers.values()) {
      if (!p.alive) continue;
      const last = this.lastHeard(p);
      if (last === null) continue;
      at(Math.floor(this.lossAtMs(p, last)) + 1);
      // Past warntime the peer is late, and its host is probed once per keepalive.
      const lateAt = last + warnMs * mult;
      if (this.nowMs <= lateAt) at(Math.floor(lateAt) + 1);
      else at(this.probeSentSince(p, last) ? (p.probeSentAtMs as number) + keepaliveMs : this.nowMs);
      // A held peer's links are all silent past deadtime: that is the node's silence, not a link's.
      if (this.nowMs - last > deadline) continue;
      for (let link = 0; link < p.lastHeardByLink.length; link++) {
        const t = p.lastHeardByLink[link];
        if (t !== null && !p.linkDown[link]) at(Math.floor(t + deadline) + 1);
      }
    }
    if (this.pending) at(this.pending.sentAtMs + 2 * keepaliveMs + 1);
    // One-off moments count only while ahead: once passed, the state they gate has been reached.
    const ahead = (t: number): void => {
      if (t > this.nowMs) at(t);
    };
    ahead(this.retryAtMs);
    if (!this.known.settled) ahead(this.startMs + initDeadMs);
    const decay = this.health.nextChangeMs();
    if (decay !== null) ahead(decay);
    const q = this.config.quorum;
    if (q.lastManStanding) ahead(this.viewSinceMs + (q.lastManStandingWindowMs ?? DEFAULT_LAST_MAN_STANDING_WINDOW_MS));
    const wake = Math.max(due, this.nowMs + 1);
    this.wakeAtMs = Math.min(this.wakeAtMs, wake);
    return wake;
  }

  /**
   * Tells the machine that the local loop ran `delayMs` late (measured by the daemon, e.g. an
   * event-loop lag monitor). Silence during that time is not held against peers.
   */
  reportLocalDelay(delayMs: number): Ready {
    if (Number.isFinite(delayMs) && delayMs > this.tickMs) this.noticeStall(delayMs);
    return this.flush();
  }

  /**
   * A probe of `from` that we asked for (Ready.probe) at `sentAtMs` was answered: a TCP connection
   * to its daemon's port completed. Its host is up and its daemon still holds the port, so its
   * silence is a stall rather than a death: it is held for a while instead of declared lost. An
   * answer cannot bring back a peer already declared lost; only its own messages can.
   */
  probeAnswered(from: NodeName, sentAtMs: number, nowMs: number): Ready {
    this.advanceClock(nowMs);
    const entry = this.byName.get(from);
    const p = entry ? this.peers.get(entry.id) : undefined;
    if (p && p.alive && Number.isFinite(sentAtMs)) {
      const at = Math.min(sentAtMs, this.nowMs);
      if (p.answeredAtMs === null || at > p.answeredAtMs) p.answeredAtMs = at;
    }
    return this.flush();
  }

  /**
   * Announces a clean shutdown: call it once this node's resources are gone, then keep delivering
   * received messages (and ticking) until `hasLeft()` or deadtime, then close. Peers drop the node
   * from their view at once, as having left rather than been lost, and ignore anything more from
   * this incarnation. From now on this machine neither heartbeats nor takes part in views.
   */
  leave(nowMs: number): Ready {
    this.advanceClock(nowMs);
    if (this.leftAtMs !== null) return this.flush();
    this.leftAtMs = this.nowMs;
    this.pending = null;
    for (let i = 0; i < LEAVE_COPIES; i++) this.out.send.push({ to: 'all', msg: this.leaveMessage() });
    for (const p of this.peers.values()) p.leaveSentAtMs = this.nowMs;
    return this.flush();
  }

  /**
   * After leave(): true once no peer we still hear holds a view with this node in it, i.e. every
   * survivor has installed the view without us (or fallen silent itself).
   */
  hasLeft(): boolean {
    if (this.leftAtMs === null) return false;
    return [...this.peers.values()].every((p) => !p.alive || !p.view || !p.view.vm.includes(this.selfEntry.id));
  }

  /** A message authenticated as coming from `from`, received on `link` (default 0). */
  receive(from: NodeName, raw: MembershipMessage, nowMs: number, link = 0): Ready {
    this.advanceClock(nowMs);
    const entry = this.byName.get(from);
    const msg = parseMembershipMessage(raw);
    if (!entry || entry.id === this.selfEntry.id) {
      this.stats_.unknownSender += 1;
      return this.flush();
    }
    if (!msg || !this.namesOnlyConfiguredNodes(msg) || !Number.isSafeInteger(link) || link < 0 || link > 7) {
      this.stats_.malformed += 1;
      return this.flush();
    }
    const peer = this.peer(entry.id);
    // A life that announced its end is over: a late or duplicated packet of it must not revive it.
    if ((peer.inc !== null && msg.inc < peer.inc) || (peer.leftInc !== null && msg.inc <= peer.leftInc)) {
      this.stats_.staleIncarnation += 1;
      return this.flush();
    }
    if (peer.inc !== null && msg.inc > peer.inc) this.peerRestarted(peer, msg.inc);
    peer.inc = msg.inc;
    this.maxVid = Math.max(this.maxVid, msg.vid);
    if (msg.t === 'leave') {
      this.onLeave(peer, msg.inc);
      if (this.leftAtMs === null) this.drive();
      return this.flush();
    }
    this.heardFrom(peer, link);
    if (this.leftAtMs !== null) {
      this.answerWhileLeaving(peer, msg);
      return this.flush();
    }
    switch (msg.t) {
      case 'hb':
        this.onHeartbeat(peer, msg);
        break;
      case 'propose':
        this.onPropose(peer, msg.vid, msg.members);
        break;
      case 'ack':
        this.onAck(peer, msg);
        break;
      case 'nack':
        this.onNack(peer, msg.vid, msg.have);
        break;
      case 'commit':
        this.onCommit(peer, msg);
        break;
    }
    this.drive();
    return this.flush();
  }

  /** A message naming a node id we do not know is refused whole: acting on part of it would guess. */
  private namesOnlyConfiguredNodes(msg: MembershipMessage): boolean {
    const known = (id: number): boolean => this.byId.has(id);
    switch (msg.t) {
      case 'hb':
        return known(msg.vco) && msg.vm.every(known) && msg.heard.every(known);
      case 'propose':
        return msg.members.length > 0 && msg.members.every(known);
      case 'commit':
        return msg.members.length > 0 && msg.members.every(known) && (msg.left ?? []).every(known);
      default:
        return true;
    }
  }

  // ---- time and failure detection ----

  private advanceClock(nowMs: number): void {
    // Time never runs backwards for the machine, whatever the caller's clock does.
    this.nowMs = Math.max(this.nowMs, nowMs);
  }

  private noticeStall(lateMs: number): void {
    // The time our loop was not looking is not the peers' silence: move their last-heard marks
    // forward by it, and distrust our own timing for a while.
    for (const p of this.peers.values()) {
      p.lastHeardByLink = p.lastHeardByLink.map((t) => (t === null ? null : Math.min(this.nowMs, t + lateMs)));
    }
    this.health.degrade(this.nowMs);
    this.emit({ type: 'local-stall', gapMs: Math.round(lateMs), healthScore: this.health.value });
  }

  private deadlineMs(): number {
    return this.config.timing.deadMs * this.health.multiplier;
  }

  /**
   * When a peer last heard at `last` is lost: deadline after it, unless its host answered a probe
   * sent during the silence; then while that answer vouches for it, up to the hold's end.
   */
  private lossAtMs(p: Peer, last: number): number {
    const deadline = last + this.deadlineMs();
    if (p.answeredAtMs === null || p.answeredAtMs <= last) return deadline;
    const vouchedUntil = p.answeredAtMs + PROBE_VOUCHES_KEEPALIVES * this.config.timing.keepaliveMs;
    return Math.max(deadline, Math.min(vouchedUntil, last + STALL_HOLD_DEADTIMES * this.deadlineMs()));
  }

  /** A probe went out during the peer's current silence. */
  private probeSentSince(p: Peer, last: number): boolean {
    return p.probeSentAtMs !== null && p.probeSentAtMs > last;
  }

  private lastHeard(p: Peer): number | null {
    let best: number | null = null;
    for (const t of p.lastHeardByLink) if (t !== null && (best === null || t > best)) best = t;
    return best;
  }

  private heardFrom(p: Peer, link: number): void {
    while (p.lastHeardByLink.length <= link) {
      p.lastHeardByLink.push(null);
      p.linkDown.push(false);
    }
    p.lastHeardByLink[link] = this.nowMs;
    if (p.linkDown[link]) {
      p.linkDown[link] = false;
      this.emit({ type: 'link-up', node: p.entry.name, link });
    }
    p.lateReported = false;
    p.stallReported = false;
    if (!p.alive) p.alive = true;
  }

  /**
   * Declares silent peers lost, reports late ones and asks for their hosts to be probed; true when
   * a peer was declared lost.
   */
  private checkPeers(): boolean {
    const { warnMs } = this.config.timing;
    const deadline = this.deadlineMs();
    let lost = false;
    for (const p of this.peers.values()) {
      const last = this.lastHeard(p);
      if (last === null || !p.alive) continue;
      const silentMs = this.nowMs - last;
      if (this.nowMs > this.lossAtMs(p, last)) {
        // Every link is silent: the node is lost rather than a link, and each link that answers
        // again will be reported up.
        p.linkDown = p.linkDown.map(() => true);
        p.alive = false;
        p.heard = new Set();
        p.view = null;
        lost = true;
        continue;
      }
      if (silentMs > warnMs * this.health.multiplier) {
        if (!p.lateReported) {
          p.lateReported = true;
          this.emit({ type: 'late-heartbeat', node: p.entry.name, silentMs: Math.round(silentMs) });
        }
        if (!this.probeSentSince(p, last) || this.nowMs - (p.probeSentAtMs as number) >= this.config.timing.keepaliveMs) {
          p.probeSentAtMs = this.nowMs;
          (this.out.probe ??= []).push(p.entry.name);
        }
      }
      if (silentMs > deadline) {
        // Held: its host answers for it (lossAtMs). Its links are not reported down one by one.
        if (!p.stallReported) {
          p.stallReported = true;
          this.emit({ type: 'peer-stalled', node: p.entry.name, silentMs: Math.round(silentMs), holdMs: STALL_HOLD_DEADTIMES * deadline });
        }
        continue;
      }
      // A link is down when it alone is silent; when all are, the node is lost instead.
      p.lastHeardByLink.forEach((t, link) => {
        if (t !== null && !p.linkDown[link] && this.nowMs - t > deadline) {
          p.linkDown[link] = true;
          this.emit({ type: 'link-down', node: p.entry.name, link });
        }
      });
    }
    return lost;
  }

  private maybeHeartbeat(): void {
    if (this.nowMs < this.nextHeartbeatMs()) return;
    this.sendHeartbeat();
  }

  /**
   * Heartbeats go out on the multiples of keepalive of the clock we are given, not keepalive after
   * the previous one: nodes whose clocks agree (NTP, or one host) then send in the same instant,
   * so each wakes once for its own heartbeat and finds its peers' already arriving, instead of
   * waking once more for each peer. No interval is ever longer than keepalive.
   */
  private nextHeartbeatMs(): number {
    const k = this.config.timing.keepaliveMs;
    return this.lastHbSentMs === null ? this.nowMs : (Math.floor(this.lastHbSentMs / k) + 1) * k;
  }

  private sendHeartbeat(): void {
    this.lastHbSentMs = this.nowMs;
    const hb: HeartbeatMessage = {
      t: 'hb',
      inc: this.config.incarnation,
      vid: this.current.id,
      vco: this.byName.get(this.current.coordinator)?.id ?? this.selfEntry.id,
      vm: this.currentIds.slice(),
      heard: [...this.peers.values()].filter((p) => p.alive).map((p) => p.entry.id),
      st: this.settledLocally(),
    };
    this.out.send.push({ to: 'all', msg: hb });
  }

  private peerRestarted(p: Peer, inc: number): void {
    p.leftInc = null;
    p.heard = new Set();
    p.view = null;
    if (this.currentIds.includes(p.entry.id)) this.needsNewView = true;
    this.emit({ type: 'peer-restarted', node: p.entry.name, incarnation: inc });
  }

  private settledLocally(): boolean {
    return this.known.settled || this.nowMs - this.startMs >= this.config.timing.initDeadMs;
  }

  // ---- clean leaves ----

  private leaveMessage(): LeaveMessage {
    return { t: 'leave', inc: this.config.incarnation, vid: this.current.id };
  }

  /**
   * The peer is gone on purpose: it stops counting as heard at once, so the coordinator proposes
   * the view without it through the ordinary rounds, and the view change reports it as left.
   */
  private onLeave(p: Peer, inc: number): void {
    p.leftInc = inc;
    p.alive = false;
    p.lateReported = false;
    p.heard = new Set();
    p.view = null;
    // As for a lost node: each link that answers again (in its next life) is reported up.
    p.linkDown = p.linkDown.map(() => true);
  }

  /** A peer that still counts on us (our copies of the leave were lost) is told again, once per keepalive. */
  private answerWhileLeaving(p: Peer, msg: MembershipMessage): void {
    const self = this.selfEntry.id;
    if (msg.t === 'hb') {
      p.heard = new Set(msg.heard);
      p.view = { vid: msg.vid, vco: msg.vco, vm: msg.vm };
    }
    const countsOnUs =
      msg.t === 'hb' ? msg.vm.includes(self) : msg.t === 'propose' || msg.t === 'commit' ? msg.members.includes(self) : false;
    if (!countsOnUs || (p.leaveSentAtMs !== null && this.nowMs - p.leaveSentAtMs < this.config.timing.keepaliveMs)) return;
    p.leaveSentAtMs = this.nowMs;
    this.out.send.push({ to: p.entry.name, msg: this.leaveMessage() });
  }

  // ---- who hears whom ----

  /** Both directions work: we hear the peer, and its latest heartbeat says it hears us. */
  private mutual(p: Peer): boolean {
    return p.alive && p.heard.has(this.selfEntry.id);
  }

  /**
   * The peer is held by a lower coordinator that left us out, and still hears that coordinator:
   * waiting for the peer to coordinate, or proposing to it, would only stall.
   */
  private taken(p: Peer): boolean {
    const v = p.view;
    if (!v || v.vm.includes(this.selfEntry.id) || v.vco >= this.selfEntry.id) return false;
    // Its heartbeat predates the view we share with it: the peer has not told us of that view yet.
    if (v.vid < this.current.id && this.currentIds.includes(p.entry.id)) return false;
    return v.vco === p.entry.id || p.heard.has(v.vco);
  }

  /** The node we expect to coordinate our view: the lowest id among us and our usable peers. */
  private expectedCoordinator(): number {
    let best = this.selfEntry.id;
    for (const p of this.peers.values()) {
      if (p.entry.id < best && this.mutual(p) && !this.taken(p)) best = p.entry.id;
    }
    return best;
  }

  /** The largest set (greedy, by id) of usable peers that all hear each other, with us. */
  private candidates(): number[] {
    const chosen: Peer[] = [];
    const usable = [...this.peers.values()]
      .filter((p) => this.mutual(p) && !this.taken(p))
      .sort((a, b) => a.entry.id - b.entry.id);
    for (const p of usable) {
      if (chosen.every((c) => c.heard.has(p.entry.id) && p.heard.has(c.entry.id))) chosen.push(p);
    }
    return [this.selfEntry.id, ...chosen.map((p) => p.entry.id)].sort((a, b) => a - b);
  }

  // ---- view agreement ----

  private drive(): void {
    if (this.expectedCoordinator() !== this.selfEntry.id) {
      this.pending = null;
      return;
    }
    const members = this.candidates();
    const lowerExpected = this.lastManStandingDue(members);
    if (this.pending) {
      const timedOut = this.nowMs - this.pending.sentAtMs > 2 * this.config.timing.keepaliveMs;
      if (!timedOut && sameIds(this.pending.members, members)) return;
      this.pending = null;
    }
    if (this.nowMs < this.retryAtMs || !this.viewWanted(members, lowerExpected)) return;
    const vid = this.maxVid + 1;
    this.maxVid = vid;
    this.pending = { vid, members, acks: new Map(), incs: new Map(), sentAtMs: this.nowMs, lowerExpected };
    this.pending.incs.set(this.selfEntry.id, this.config.incarnation);
    for (const id of members) {
      if (id === this.selfEntry.id) continue;
      this.out.send.push({ to: this.name(id), msg: { t: 'propose', inc: this.config.incarnation, vid, members } });
    }
    this.maybeCommit();
  }

  private viewWanted(members: number[], lowerExpected: boolean): boolean {
    if (this.needsNewView || lowerExpected) return true;
    // We stepped down as DC for a proposal that never reached us committed: a view names one again.
    if (this.facts.settled && this.current.dc === null) return true;
    if (this.current.coordinator !== this.config.self || !sameIds(members, this.currentIds)) return true;
    // A member that holds a newer or different view has left ours without our noticing.
    for (const id of this.currentIds) {
      const v = this.peers.get(id)?.view;
      if (v && (v.vid > this.current.id || (v.vid === this.current.id && v.vco !== this.selfEntry.id))) return true;
    }
    // Initdead has passed here or at a member since the view formed: the view can now name a DC.
    return !this.facts.settled && (this.settledLocally() || this.currentIds.some((id) => this.peers.get(id)?.settled));
  }

  private lastManStandingDue(members: number[]): boolean {
    const q = this.config.quorum;
    if (!q.lastManStanding || !sameIds(members, this.currentIds) || this.current.coordinator !== this.config.self) {
      return false;
    }
    const next = nextExpectedVotes(this.facts.expected, this.current.votes, {
      enabled: true,
      quorate: this.current.quorate,
      stableForMs: this.nowMs - this.viewSinceMs,
      windowMs: q.lastManStandingWindowMs ?? DEFAULT_LAST_MAN_STANDING_WINDOW_MS,
    });
    return next < this.facts.expected;
  }

  private onHeartbeat(p: Peer, hb: HeartbeatMessage): void {
    // A peer that refused our proposal for another coordinator's sake and now hears differently
    // may accept the next one: no need to wait out the back-off.
    if (this.retryAtMs > this.nowMs && !sameMembers(p.heard, hb.heard)) this.retryAtMs = 0;
    p.heard = new Set(hb.heard);
    p.view = { vid: hb.vid, vco: hb.vco, vm: hb.vm };
    p.settled = hb.st;
    // A member that missed our commit still shows an older view: send it again, once per keepalive.
    const commit = this.lastCommit;
    if (
      commit &&
      this.current.coordinator === this.config.self &&
      commit.vid === this.current.id &&
      hb.vid < commit.vid &&
      commit.members.includes(p.entry.id) &&
      this.currentIncs.get(p.entry.id) === p.inc &&
      (p.commitResentAtMs === null || this.nowMs - p.commitResentAtMs >= this.config.timing.keepaliveMs)
    ) {
      p.commitResentAtMs = this.nowMs;
      this.out.send.push({ to: p.entry.name, msg: commit });
    }
  }

  private onPropose(p: Peer, vid: number, members: number[]): void {
    const self = this.selfEntry.id;
    if (!members.includes(self) || !members.includes(p.entry.id)) return;
    // A proposer names only peers it hears: this is news of the link from it to us working.
    for (const id of members) if (id !== p.entry.id) p.heard.add(id);
    const stalePromise = this.promised !== null && this.promised.vid > vid && this.nowMs - this.promised.atMs < 2 * this.config.timing.keepaliveMs;
    if (vid <= this.current.id || stalePromise || p.entry.id > this.expectedCoordinator()) {
      this.out.send.push({
        to: p.entry.name,
        msg: { t: 'nack', inc: this.config.incarnation, vid, have: Math.max(this.current.id, this.promised?.vid ?? 0) },
      });
      return;
    }
    this.promised = { vid, atMs: this.nowMs };
    // The proposer has a lower id than ours, so the view we are joining will not have us as DC.
    // Until its commit reaches us (it may be lost, or cut off), our current view must not either:
    // its members may already act in the new view under their new DC.
    if (this.current.dc === this.config.self) this.stepDownAsDc();
    const ack: AckMessage = {
      t: 'ack',
      inc: this.config.incarnation,
      vid,
      allSeen: this.known.allSeen,
      settled: this.settledLocally(),
      expected: this.facts.expected,
    };
    this.out.send.push({ to: p.entry.name, msg: ack });
  }

  private onAck(p: Peer, ack: AckMessage): void {
    const pending = this.pending;
    if (!pending || ack.vid !== pending.vid || !pending.members.includes(p.entry.id)) return;
    pending.acks.set(p.entry.id, ack);
    pending.incs.set(p.entry.id, ack.inc);
    this.maybeCommit();
  }

  private onNack(p: Peer, vid: number, have: number): void {
    const pending = this.pending;
    if (!pending || vid !== pending.vid) return;
    this.maxVid = Math.max(this.maxVid, have);
    // A refusal for any reason but an outdated id means the peer expects another coordinator:
    // our knowledge or its own is out of date, and the next heartbeats will settle which. Retrying
    // at once would only draw the same refusal.
    if (have < vid) this.retryAtMs = this.nowMs + this.config.timing.keepaliveMs;
    this.pending = null;
  }

  private maybeCommit(): void {
    const pending = this.pending;
    if (!pending || pending.members.some((id) => id !== this.selfEntry.id && !pending.acks.has(id))) return;
    const acks = [...pending.acks.values()];
    const all = this.config.nodes.length;
    const facts: ViewFacts = {
      allSeen: this.known.allSeen || acks.some((a) => a.allSeen) || pending.members.length === all,
      settled: this.settledLocally() || acks.some((a) => a.settled) || pending.members.length === all,
      expected: Math.max(this.facts.expected, ...acks.map((a) => a.expected)),
    };
    const votes = this.votesOf(pending.members);
    facts.expected = pending.lowerExpected ? votes : Math.max(facts.expected, votes);
    const left = this.currentIds.filter((id) => !pending.members.includes(id) && (this.peers.get(id)?.leftInc ?? null) !== null);
    const commit: CommitMessage = {
      t: 'commit',
      inc: this.config.incarnation,
      vid: pending.vid,
      members: pending.members,
      ...facts,
      ...(left.length > 0 ? { left } : {}),
    };
    for (const id of pending.members) if (id !== this.selfEntry.id) this.out.send.push({ to: this.name(id), msg: commit });
    this.lastCommit = commit;
    this.pending = null;
    this.needsNewView = false;
    this.install(pending.vid, this.selfEntry.id, pending.members, facts, pending.incs, left);
  }

  private onCommit(p: Peer, c: CommitMessage): void {
    if (c.vid <= this.current.id || !c.members.includes(this.selfEntry.id) || !c.members.includes(p.entry.id)) return;
    for (const id of c.members) if (id !== p.entry.id) p.heard.add(id);
    if (p.entry.id > this.expectedCoordinator()) return;
    p.view = { vid: c.vid, vco: p.entry.id, vm: c.members };
    this.install(c.vid, p.entry.id, c.members, { allSeen: c.allSeen, settled: c.settled, expected: c.expected }, new Map(), c.left ?? []);
  }

  private install(vid: number, coordinator: number, members: number[], facts: ViewFacts, incs: Map<number, number>, leftIds: number[]): void {
    const previous = this.current;
    const previousIds = this.currentIds;
    this.maxVid = Math.max(this.maxVid, vid);
    // The view's facts are the coordinator's, exactly, so that every member shows the same DC and
    // quorum; what this node has learnt stays known for the views it helps form later.
    this.facts = facts;
    this.known = { allSeen: this.known.allSeen || facts.allSeen, settled: this.known.settled || facts.settled };
    this.currentIds = members.slice().sort((a, b) => a - b);
    this.currentIncs = incs;
    this.viewSinceMs = this.nowMs;
    this.current = this.makeView(vid, coordinator, this.currentIds, this.facts);
    for (const id of this.currentIds) if (!previousIds.includes(id)) this.emit({ type: 'node-joined', node: this.name(id) });
    for (const id of previousIds) {
      if (this.currentIds.includes(id)) continue;
      const left = leftIds.includes(id) || (this.peers.get(id)?.leftInc ?? null) !== null;
      this.emit({ type: left ? 'node-left' : 'node-lost', node: this.name(id) });
    }
    this.emit({ type: 'view-changed', view: this.current, previous });
    if (this.current.quorate !== previous.quorate) {
      this.emit({ type: this.current.quorate ? 'quorum-gained' : 'quorum-lost', viewId: vid });
    }
    if (this.current.dc !== previous.dc) this.emit({ type: 'dc-changed', dc: this.current.dc, previous: previous.dc });
    this.sendHeartbeat();
  }

  /** The current view stays, without a DC; the next view installed names one again. */
  private stepDownAsDc(): void {
    const previous = this.current;
    this.current = { ...previous, dc: null };
    this.emit({ type: 'view-changed', view: this.current, previous });
    this.emit({ type: 'dc-changed', dc: null, previous: previous.dc });
  }

  private makeView(vid: number, coordinator: number, ids: number[], facts: ViewFacts): View {
    const votes = this.votesOf(ids);
    const { quorate, quorumVotes } = evaluateQuorum(
      { viewVotes: votes, expectedVotes: facts.expected, allSeen: facts.allSeen },
      this.config.quorum,
    );
    const whole = ids.length === this.config.nodes.length;
    return {
      id: vid,
      coordinator: this.name(coordinator),
      members: ids.map((id) => this.name(id)),
      dc: facts.settled ? this.name(Math.min(...ids)) : null,
      quorate,
      partition: whole ? 'whole-cluster' : quorate ? 'with-quorum' : 'without-quorum',
      votes,
      expectedVotes: facts.expected,
      quorumVotes,
    };
  }

  // ---- small helpers ----

  private votesOf(ids: number[]): number {
    return ids.reduce((sum, id) => sum + (this.byId.get(id)?.votes ?? 0), 0);
  }

  private name(id: number): NodeName {
    const e = this.byId.get(id);
    if (!e) throw new Error(`membership bug: node id ${id} is not configured`);
    return e.name;
  }

  private peer(id: number): Peer {
    const p = this.peers.get(id);
    if (!p) throw new Error(`membership bug: no peer state for node id ${id}`);
    return p;
  }

  private emit(e: MembershipEvent): void {
    this.out.events.push(e);
  }

  private flush(): Ready {
    const r = this.out;
    this.out = { send: [], events: [] };
    if (this.maxVid > this.persistedVid) {
      this.persistedVid = this.maxVid + VIEW_IDS_RESERVED;
      return { persistViewId: this.persistedVid, ...r };
    }
    return r;
  }
}

function newPeer(entry: NodeEntry): Peer {
  return {
    entry,
    inc: null,
    lastHeardByLink: [],
    linkDown: [],
    heard: new Set(),
    view: null,
    settled: false,
    alive: false,
    lateReported: false,
    commitResentAtMs: null,
    leftInc: null,
    leaveSentAtMs: null,
    probeSentAtMs: null,
    answeredAtMs: null,
    stallReported: false,
  };
}

function sameMembers(set: ReadonlySet<number>, ids: readonly number[]): boolean {
  return set.size === new Set(ids).size && ids.every((id) => set.has(id));
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function validateConfig(config: MembershipConfig): void {
  const ids = new Set<number>();
  const names = new Set<string>();
  if (config.nodes.length === 0) throw new MembershipConfigError('the node list is empty');
  for (const n of config.nodes) {
    if (!Number.isSafeInteger(n.id) || n.id <= 0) throw new MembershipConfigError(`node ${n.name}: id must be a positive integer, not ${n.id}`);
    if (!Number.isSafeInteger(n.votes) || n.votes < 0) throw new MembershipConfigError(`node ${n.name}: votes must be a whole number ≥ 0, not ${n.votes}`);
    if (ids.has(n.id)) throw new MembershipConfigError(`node id ${n.id} is used twice`);
    if (names.has(n.name)) throw new MembershipConfigError(`node name ${n.name} is used twice`);
    ids.add(n.id);
    names.add(n.name);
  }
  if (!names.has(config.self)) throw new MembershipConfigError(`this node (${config.self}) is not in the node list`);
  if (config.lastViewId !== undefined && (!Number.isSafeInteger(config.lastViewId) || config.lastViewId < 0)) {
    throw new MembershipConfigError(`lastViewId must be a whole number ≥ 0, not ${config.lastViewId}`);
  }
  if (!Number.isSafeInteger(config.incarnation) || config.incarnation < 0) {
    throw new MembershipConfigError(`incarnation must be a whole number ≥ 0, not ${config.incarnation}`);
  }
  const ev = config.quorum.expectedVotes;
  if (ev !== undefined && (!Number.isSafeInteger(ev) || ev <= 0)) {
    throw new MembershipConfigError(`expected votes must be a positive whole number, not ${ev}`);
  }
}
