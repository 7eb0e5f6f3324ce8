import { applyCibPatch, diffCib, type CibPatch } from '../diff.js';
import type { CibVersion } from '../model/types.js';
import { compareVersions, formatVersion } from '../versions.js';
import { parseXml, serializeXml, type XmlElement } from '../xml.js';
import type { ReplicaView, ReplicationMessage } from './messages.js';
import { cibVersion, setVersion } from './version.js';

/** Who made a change and when: the DC stamps it on the root (crm_mon's "Last change"). */
export interface ChangeOrigin {
  node: string;
  client: string;
  nowMs: number;
}

/**
 * The CIB rules replication applies but does not define (the daemon's cib-apply). Both return a
 * new tree and leave their input alone.
 */
export interface ReplicationRules<C> {
  /** A client's change; throws an Error saying why when the change is refused. */
  apply(cib: XmlElement, change: C, origin: ChangeOrigin): XmlElement;
  /** Membership recorded in the CIB by the DC; null when the CIB already says it. */
  membership(cib: XmlElement, view: ReplicaView, origin: ChangeOrigin): XmlElement | null;
  /**
   * What the DC keeps when a member's copy wins the join round (by default that copy as it is):
   * a daemon may keep parts of its own, such as its partition's status section.
   */
  adopt?(own: XmlElement, newer: XmlElement): XmlElement;
}

export interface ReplicationConfig<C> {
  self: string;
  rules: ReplicationRules<C>;
  /** The CIB read from disk at start. */
  initial: XmlElement;
  /** How long the DC waits for offers, a fetch and acknowledgements before giving up on a member. */
  timeoutMs: number;
}

/**
 * What the shell must do. `persist` effects are carried out in order; each is answered with
 * `persisted(seq)` (or `persistFailed`) once the CIB is durably on disk.
 */
export type ReplicationEffect<C> =
  | { type: 'send'; to: string; msg: ReplicationMessage<C> }
  | { type: 'persist'; seq: number; cib: XmlElement }
  | { type: 'committed'; request: string; version: CibVersion }
  /** `refused`: the change itself is wrong; otherwise the cluster could not commit it (now). */
  | { type: 'rejected'; request: string; refused: boolean; message: string }
  | { type: 'changed'; cib: XmlElement }
  /** DC: every member of view `viewId` persisted `version` (a client's change or a join round's push). */
  | { type: 'synchronised'; viewId: number; version: CibVersion }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

type Asker = { kind: 'local'; request: string } | { kind: 'peer'; node: string; req: string };

type Work<C> = { kind: 'join'; viewId: number } | { kind: 'change'; change: C; origin: string; asker: Asker };

interface Commit {
  kind: 'commit';
  no: number;
  viewId: number;
  version: CibVersion;
  xml: string;
  /** The CIB the commit replaced and the patch from it, for members known to hold it. */
  base?: { version: CibVersion; patch: CibPatch };
  /** Members (self included, for its own disk) that have not yet persisted it. */
  waiting: Set<string>;
  failed: string[];
  /** A member held a newer CIB than the one pushed: run the join round again afterwards. */
  newerSeen: boolean;
  /** Waits for acknowledgements begun so far (see ACK_WAITS). */
  waits: number;
  deadlineMs: number;
  asker?: Asker;
}

type Busy =
  | { kind: 'offers'; viewId: number; waiting: Set<string>; got: Map<string, Offer>; deadlineMs: number }
  /** `atLeast`: the version the adopted copy must exceed, so that every member takes it. */
  | { kind: 'fetch'; viewId: number; node: string; atLeast: CibVersion; deadlineMs: number }
  /** After a failed round or commit, a pause before the next try, so an unreachable member is not hammered. */
  | { kind: 'backoff'; viewId: number; deadlineMs: number }
  | Commit;

interface Offer {
  version: CibVersion;
  committed: boolean;
}

/**
 * The order of copies in a join round: configuration epoch first, then a copy known committed
 * before one that is not, then num_updates.
 */
function newerOffer(a: Offer, b: Offer): boolean {
  if (a.version.adminEpoch !== b.version.adminEpoch) return a.version.adminEpoch > b.version.adminEpoch;
  if (a.version.epoch !== b.version.epoch) return a.version.epoch > b.version.epoch;
  if (a.committed !== b.committed) return a.committed;
  return a.version.numUpdates > b.version.numUpdates;
}

/**
 * How many timeouts the DC waits for a commit's acknowledgements, pushing again to the members
 * still silent at the end of each. A member that stays in the view is alive as far as membership
 * can tell, which stretches its own timeouts when a node is starved: a fixed, shorter wait here
 * reported changes as failed that every member persisted a moment later (the DC's own disk
 * included). A member that is really gone leaves the view, which releases the commit at once.
 */
const ACK_WAITS = 3;

/**
 * A member that forwarded a change waits for the DC's answer one timeout longer than the DC can
 * wait for the acknowledgements, so that it hears the outcome rather than a guess.
 */
const FORWARD_WAITS = ACK_WAITS + 1;

/** What to do once the disk has a given write. */
type OnPersisted = { kind: 'settle'; commit: number } | { kind: 'ack'; to: string; view: number; commit: number };

/**
 * The replicated CIB on one node as a pure state machine: events in (views, peer messages,
 * local change requests, disk completions, ticks), effects out.
 *
 * The DC holds the authoritative copy. When a view forms it collects every member's version,
 * adopts the newest (so after a partition heals the newest configuration wins), records
 * membership in the status section and pushes the result to every member. Every change, from any
 * node, goes through the DC, one at a time, and is reported committed only when every member of
 * the view (the DC included) has written it to disk. A member takes the DC's copy unless it holds
 * a newer one, which it says, and the DC then runs the join round again.
 */
export class ReplicationCore<C> {
  private cib: XmlElement;
  private ver: CibVersion;
  private view: ReplicaView | undefined;
  /** The newest view a DC pushed to us in: a push from an older view, or from another DC of it, is stale. */
  private pushedIn: { view: number; dc: string } = { view: 0, dc: '' };
  private out: ReplicationEffect<C>[] = [];
  private persistSeq = 0;
  private readonly onPersisted = new Map<number, OnPersisted>();
  private commitSeq = 0;
  private busy: Busy | null = null;
  private queue: Work<C>[] = [];
  /** The version each member last confirmed holding, so that the next commit can be a patch. */
  private readonly memberVersions = new Map<string, CibVersion>();
  /**
   * The configuration epoch this node knows was committed (the DC said so, or is us): kept only
   * while the copy held is that very configuration.
   */
  private committedEpoch: { adminEpoch: number; epoch: number } | null = null;
  /** Changes forwarded to the DC, by request id, with when to stop waiting for the answer. */
  private readonly forwarded = new Map<string, number>();
  /**
   * The copy held has been synchronised with a view since this machine started: taken from a
   * DC's push, or pushed by us as DC and persisted by every member. Until then it is what the
   * disk kept from an earlier life, whose status (what ran where, who was a member) nobody can
   * vouch for.
   */
  private synced = false;

  constructor(private readonly config: ReplicationConfig<C>) {
    this.cib = config.initial;
    this.ver = cibVersion(config.initial);
  }

  current(): XmlElement {
    return this.cib;
  }

  version(): CibVersion {
    return this.ver;
  }

  /** No work under way or queued, no write or forwarded change awaited. */
  idle(): boolean {
    return this.busy === null && this.queue.length === 0 && this.onPersisted.size === 0 && this.forwarded.size === 0;
  }

  isDc(): boolean {
    return this.dc() === this.config.self;
  }

  /**
   * The DC this node answers to: its view's, unless a DC has since pushed to it in a newer view
   * (membership counts this node in that view, but the view's commit has not reached it yet).
   * The older view's DC must not go on changing a copy the newer view's DC has replaced: no
   * member of the newer view would take the change, and the uncommitted copy it leaves behind
   * would diverge from the newer DC's, unseen, until the next join round.
   */
  private dc(): string | null {
    const v = this.view;
    return this.pushedIn.view > (v?.id ?? 0) ? this.pushedIn.dc : (v?.dc ?? null);
  }

  /**
   * The copy held is the cluster's, not only the one read from disk at start: a DC has pushed it
   * to this node, or this node as DC has had every member of a view persist it. Nothing should
   * act on the copy (plan, dispatch) before.
   */
  isLive(): boolean {
    return this.synced;
  }

  /** When the machine next needs a tick (Infinity: nothing to time out). */
  nextDeadlineMs(): number {
    let next = this.busy?.deadlineMs ?? Infinity;
    for (const due of this.forwarded.values()) next = Math.min(next, due);
    return next;
  }

  /** Membership installed a new view. The DC of the view starts a join round. */
  onView(view: ReplicaView, nowMs: number): ReplicationEffect<C>[] {
    this.view = view;
    const busy = this.busy;
    if (busy?.kind === 'commit') {
      // A member that left is no longer a member: the commit is owed only to those that remain.
      for (const node of [...busy.waiting]) if (node !== this.config.self && !view.members.includes(node)) busy.waiting.delete(node);
      if (busy.waiting.size === 0) this.commitDone(busy, nowMs);
    } else if (busy !== null && busy.viewId !== view.id) {
      this.log('info', `CIB join round for view ${busy.viewId} abandoned: view ${view.id} replaced it`);
      this.busy = null;
    }
    for (const node of [...this.memberVersions.keys()]) if (!view.members.includes(node)) this.memberVersions.delete(node);
    this.queue = this.queue.filter((w) => w.kind !== 'join');
    if (this.isDc()) this.queue.unshift({ kind: 'join', viewId: view.id });
    this.progress(nowMs);
    return this.take();
  }

  /** A local client's change, named by a request id unique on this node. */
  submit(request: string, change: C, nowMs: number): ReplicationEffect<C>[] {
    const dc = this.dc();
    const asker: Asker = { kind: 'local', request };
    if (dc === null) this.finish(asker, { ok: false, refused: false, message: 'there is no DC in this partition yet; the change was not made' });
    else if (dc === this.config.self) {
      this.queue.push({ kind: 'change', change, origin: this.config.self, asker });
      this.progress(nowMs);
    } else {
      this.forwarded.set(request, nowMs + this.config.timeoutMs * FORWARD_WAITS);
      this.send(dc, { t: 'cib-change', req: request, change });
    }
    return this.take();
  }

  /** The shell wrote persist effect `seq` durably. */
  persisted(seq: number, nowMs: number): ReplicationEffect<C>[] {
    const then = this.takePersisted(seq);
    if (then?.kind === 'ack') this.send(then.to, { t: 'cib-ack', view: then.view, commit: then.commit, ok: true });
    else if (then?.kind === 'settle') this.settle(then.commit, this.config.self, nowMs);
    return this.take();
  }

  persistFailed(seq: number, message: string, nowMs: number): ReplicationEffect<C>[] {
    this.log('error', `cannot persist the CIB: ${message}`);
    const then = this.takePersisted(seq);
    if (then?.kind === 'ack') this.send(then.to, { t: 'cib-ack', view: then.view, commit: then.commit, ok: false, error: message });
    else if (then?.kind === 'settle') this.settle(then.commit, this.config.self, nowMs, `${this.config.self} (${message})`);
    return this.take();
  }

  /** The shell could not deliver `msg` to `to` (the connection failed). */
  sendFailed(to: string, msg: ReplicationMessage<C>, message: string, nowMs: number): ReplicationEffect<C>[] {
    const b = this.busy;
    if (msg.t === 'cib-full' || msg.t === 'cib-patch') {
      this.memberVersions.delete(to);
      this.settle(msg.commit, to, nowMs, `${to} (${message})`);
    } else if (msg.t === 'cib-offer-req' && b?.kind === 'offers' && b.viewId === msg.view && b.waiting.delete(to)) {
      this.log('warn', `cannot ask ${to} for its CIB version: ${message}`);
      if (b.waiting.size === 0) this.offersDone(nowMs);
    } else if (msg.t === 'cib-fetch' && b?.kind === 'fetch' && b.viewId === msg.view && b.node === to) {
      this.log('warn', `cannot fetch the CIB from ${to}: ${message}; running the join round again`);
      this.retryJoin(nowMs);
    } else if (msg.t === 'cib-change' && this.forwarded.delete(msg.req)) {
      this.finish({ kind: 'local', request: msg.req }, { ok: false, refused: false, message: `cannot reach the DC (${to}): ${message}; the change was not made` });
    } else this.log('warn', `cannot send ${msg.t} to ${to}: ${message}`);
    return this.take();
  }

  tick(nowMs: number): ReplicationEffect<C>[] {
    for (const [req, due] of [...this.forwarded]) {
      if (due > nowMs) continue;
      this.forwarded.delete(req);
      const dc = this.view?.dc ?? 'the DC';
      this.finish(
        { kind: 'local', request: req },
        { ok: false, refused: false, message: `the DC (${dc}) did not confirm the change within ${this.config.timeoutMs * FORWARD_WAITS} ms; it may or may not have been committed` },
      );
    }
    const busy = this.busy;
    if (busy !== null && busy.deadlineMs <= nowMs) {
      if (busy.kind === 'backoff') this.busy = null;
      else if (busy.kind === 'offers') this.offersDone(nowMs);
      else if (busy.kind === 'fetch') {
        this.log('warn', `${busy.node} did not send its CIB within ${this.config.timeoutMs} ms; running the join round again`);
        this.retryJoin(nowMs);
      } else if (busy.waits < ACK_WAITS) this.waitAgain(busy, nowMs);
      else {
        for (const node of busy.waiting) busy.failed.push(`${node} (no acknowledgement within ${this.config.timeoutMs * ACK_WAITS} ms)`);
        busy.waiting.clear();
        this.commitDone(busy, nowMs);
      }
      this.progress(nowMs);
    }
    return this.take();
  }

  /** Messages from peers (authenticated and checked for shape by the shell). */
  receive(from: string, msg: ReplicationMessage<C>, nowMs: number): ReplicationEffect<C>[] {
    switch (msg.t) {
      case 'cib-offer-req':
        this.send(from, { t: 'cib-offer', view: msg.view, version: this.ver, committed: this.knownCommitted() });
        break;
      case 'cib-offer': {
        const b = this.busy;
        if (b?.kind !== 'offers' || b.viewId !== msg.view || !b.waiting.has(from)) break;
        b.got.set(from, { version: msg.version, committed: msg.committed === true });
        b.waiting.delete(from);
        if (b.waiting.size === 0) this.offersDone(nowMs);
        break;
      }
      case 'cib-fetch':
        this.send(from, { t: 'cib-fetched', view: msg.view, xml: serializeXml(this.cib) });
        break;
      case 'cib-fetched':
        this.fetched(from, msg.view, msg.xml, nowMs);
        break;
      case 'cib-full':
      case 'cib-patch':
        this.pushed(from, msg);
        break;
      case 'cib-ack':
        this.acked(from, msg, nowMs);
        break;
      case 'cib-committed':
        if (from === this.pushedIn.dc && msg.view === this.pushedIn.view && compareVersions(msg.version, this.ver) === 0) this.committedEpoch = epochOf(this.ver);
        break;
      case 'cib-change':
        if (!this.isDc()) this.send(from, { t: 'cib-change-result', req: msg.req, ok: false, error: `${this.config.self} is not the DC` });
        else this.queue.push({ kind: 'change', change: msg.change, origin: from, asker: { kind: 'peer', node: from, req: msg.req } });
        break;
      case 'cib-change-result':
        if (!this.forwarded.delete(msg.req)) break;
        this.finish(
          { kind: 'local', request: msg.req },
          msg.ok && msg.version !== undefined
            ? { ok: true, version: msg.version }
            : { ok: false, refused: msg.refused === true, message: msg.error ?? (msg.refused === true ? 'the DC refused the change' : 'the DC could not commit the change') },
        );
        break;
    }
    this.progress(nowMs);
    return this.take();
  }

  // ——— the DC's work, one item at a time ———

  private progress(nowMs: number): void {
    while (this.busy === null && this.queue.length > 0) {
      const work = this.queue.shift() as Work<C>;
      if (work.kind === 'join') {
        if (this.isDc() && this.view?.id === work.viewId) this.startJoin(this.view, nowMs);
        continue;
      }
      if (!this.isDc() || this.view === undefined) {
        this.finish(work.asker, { ok: false, refused: false, message: `${this.config.self} stopped being the DC; the change was not made (retry)` });
        continue;
      }
      let next: XmlElement;
      try {
        next = this.config.rules.apply(this.cib, work.change, { node: work.origin, client: 'vigil', nowMs });
      } catch (err) {
        this.finish(work.asker, { ok: false, refused: true, message: (err as Error).message });
        continue;
      }
      const previous = { cib: this.cib, version: this.ver };
      this.committedEpoch = null;
      this.setCib(next);
      this.startCommit(this.view, nowMs, previous, work.asker);
    }
  }

  private startJoin(view: ReplicaView, nowMs: number): void {
    const others = view.members.filter((m) => m !== this.config.self);
    this.busy = { kind: 'offers', viewId: view.id, waiting: new Set(others), got: new Map(), deadlineMs: nowMs + this.config.timeoutMs };
    for (const node of others) this.send(node, { t: 'cib-offer-req', view: view.id });
    if (others.length === 0) this.offersDone(nowMs);
  }

  /** Every offer is in, or the wait is over: adopt the newest copy, then record membership and push. */
  private offersDone(nowMs: number): void {
    const b = this.busy;
    if (b?.kind !== 'offers' || this.view === undefined) return;
    for (const [node, offer] of b.got) this.memberVersions.set(node, offer.version);
    const own: Offer = { version: this.ver, committed: this.knownCommitted() };
    let best: { node: string; offer: Offer } = { node: this.config.self, offer: own };
    for (const [node, offer] of b.got) if (newerOffer(offer, best.offer)) best = { node, offer };
    // The highest version offered: what the adopted copy must exceed for every member to take it.
    let highest = this.ver;
    for (const offer of b.got.values()) if (compareVersions(offer.version, highest) > 0) highest = offer.version;
    if (best.node !== this.config.self) {
      this.log('info', `CIB ${formatVersion(best.offer.version)}${best.offer.committed ? ' (committed)' : ''} on ${best.node} is newer than ours (${formatVersion(this.ver)}); adopting it`);
      this.busy = { kind: 'fetch', viewId: b.viewId, node: best.node, atLeast: highest, deadlineMs: nowMs + this.config.timeoutMs };
      this.send(best.node, { t: 'cib-fetch', view: b.viewId });
      return;
    }
    this.busy = null;
    if (compareVersions(highest, this.ver) > 0) this.setCib(above(this.cib, highest));
    this.pushJoin(this.view, nowMs);
  }

  private fetched(from: string, viewId: number, xml: string, nowMs: number): void {
    const b = this.busy;
    if (b?.kind !== 'fetch' || b.viewId !== viewId || b.node !== from || this.view === undefined) return;
    this.busy = null;
    let cib: XmlElement;
    try {
      cib = parseXml(xml, `CIB from ${from}`);
    } catch (err) {
      this.log('warn', `the CIB ${from} sent is unreadable (${(err as Error).message}); running the join round again`);
      this.retryJoin(nowMs);
      return;
    }
    // Won on the committed mark at an equal epoch, it may count fewer status updates than a
    // copy it beat: lifted above every copy offered, so that no member holds a "newer" one.
    this.committedEpoch = null;
    // A copy read from disk at start and never synchronised since keeps nothing of its own: its
    // status describes an earlier life of this node (resources it no longer runs, members it
    // no longer sees), and would otherwise win over what the live members recorded.
    const adopted = this.synced ? (this.config.rules.adopt?.(this.cib, cib) ?? cib) : cib;
    if (!this.synced && this.config.rules.adopt !== undefined) this.log('info', `our copy is from before this start: ${from}'s is adopted whole`);
    this.setCib(compareVersions(cibVersion(adopted), b.atLeast) > 0 ? adopted : above(adopted, b.atLeast));
    this.pushJoin(this.view, nowMs);
  }

  private pushJoin(view: ReplicaView, nowMs: number): void {
    const withMembership = this.config.rules.membership(this.cib, view, { node: this.config.self, client: 'vigild', nowMs });
    if (withMembership !== null) this.setCib(withMembership);
    // Even an unchanged CIB is pushed, whole: a member that was away may hold an older one.
    this.startCommit(view, nowMs);
  }

  private startCommit(view: ReplicaView, nowMs: number, previous?: { cib: XmlElement; version: CibVersion }, asker?: Asker): void {
    const no = ++this.commitSeq;
    const others = view.members.filter((m) => m !== this.config.self);
    const commit: Commit = {
      kind: 'commit',
      no,
      viewId: view.id,
      version: this.ver,
      xml: serializeXml(this.cib),
      ...(previous !== undefined ? { base: { version: previous.version, patch: diffCib(previous.cib, this.cib) } } : {}),
      waiting: new Set([this.config.self, ...others]),
      failed: [],
      newerSeen: false,
      waits: 1,
      deadlineMs: nowMs + this.config.timeoutMs,
      ...(asker !== undefined ? { asker } : {}),
    };
    this.busy = commit;
    this.persist({ kind: 'settle', commit: no });
    for (const node of others) {
      const known = this.memberVersions.get(node);
      const patch = commit.base !== undefined && known !== undefined && compareVersions(known, commit.base.version) === 0;
      this.send(
        node,
        patch && commit.base !== undefined
          ? { t: 'cib-patch', view: view.id, commit: no, patch: commit.base.patch }
          : { t: 'cib-full', view: view.id, commit: no, xml: commit.xml },
      );
    }
  }

  /**
   * The commit's wait ran out with members (or our own disk) still silent: the push goes again,
   * whole, to each silent member, since what a connection to it accepted may never have arrived,
   * and a late acknowledgement of either copy counts.
   */
  private waitAgain(c: Commit, nowMs: number): void {
    c.waits += 1;
    c.deadlineMs = nowMs + this.config.timeoutMs;
    const silent = [...c.waiting].filter((node) => node !== this.config.self);
    this.log('warn', `CIB ${formatVersion(c.version)}: no acknowledgement yet from ${[...c.waiting].join(', ')}; waiting again`);
    for (const node of silent) {
      this.memberVersions.delete(node);
      this.send(node, { t: 'cib-full', view: c.viewId, commit: c.no, xml: c.xml });
    }
  }

  private acked(from: string, msg: Extract<ReplicationMessage<C>, { t: 'cib-ack' }>, nowMs: number): void {
    const c = this.busy;
    if (c?.kind !== 'commit' || c.no !== msg.commit || c.viewId !== msg.view || !c.waiting.has(from)) return;
    if (msg.needFull === true) {
      this.memberVersions.delete(from);
      this.send(from, { t: 'cib-full', view: c.viewId, commit: c.no, xml: c.xml });
      return;
    }
    if (msg.ok) {
      this.memberVersions.set(from, c.version);
      this.settle(c.no, from, nowMs);
      return;
    }
    this.memberVersions.delete(from);
    if (msg.newer !== undefined) {
      c.newerSeen = true;
      this.memberVersions.set(from, msg.newer);
    }
    this.settle(c.no, from, nowMs, `${from} (${msg.error ?? 'refused'})`);
  }

  private settle(commitNo: number, node: string, nowMs: number, failure?: string): void {
    const c = this.busy;
    if (c?.kind !== 'commit' || c.no !== commitNo || !c.waiting.delete(node)) return;
    if (failure !== undefined) c.failed.push(failure);
    if (c.waiting.size > 0) return;
    this.commitDone(c, nowMs);
    this.progress(nowMs);
  }

  /** Drops the work under way; after a pause, a join round for the current view comes first. */
  private retryJoin(nowMs: number, pauseMs = this.config.timeoutMs / 4): void {
    this.busy = null;
    if (!this.isDc() || this.view === undefined) return;
    if (!this.queue.some((w) => w.kind === 'join')) this.queue.unshift({ kind: 'join', viewId: this.view.id });
    this.busy = { kind: 'backoff', viewId: this.view.id, deadlineMs: nowMs + pauseMs };
  }

  private commitDone(c: Commit, nowMs: number): void {
    // A member that missed a commit and is still a member would otherwise keep an older copy
    // until the next view: bring it up to date with a join round (which also adopts a newer copy).
    const stale = c.failed.length > 0 && c.viewId === this.view?.id;
    this.busy = null;
    // A newer copy is waiting to be adopted: no reason to pause.
    if (c.newerSeen) this.retryJoin(nowMs, 0);
    else if (stale) this.retryJoin(nowMs);
    const version = formatVersion(c.version);
    if (c.failed.length > 0) {
      const message = `not every member persisted CIB ${version}: ${c.failed.join(', ')}`;
      if (c.asker !== undefined) this.finish(c.asker, { ok: false, refused: false, message });
      else this.log('warn', `CIB synchronisation to view ${c.viewId}: ${message}`);
      return;
    }
    if (compareVersions(c.version, this.ver) === 0) this.committedEpoch = epochOf(c.version);
    this.synced = true;
    this.out.push({ type: 'synchronised', viewId: c.viewId, version: c.version });
    for (const node of this.view?.members ?? []) {
      if (node !== this.config.self) this.send(node, { t: 'cib-committed', view: c.viewId, commit: c.no, version: c.version });
    }
    if (c.asker !== undefined) this.finish(c.asker, { ok: true, version: c.version });
    else this.log('info', `CIB ${version} synchronised to view ${c.viewId} (${this.view?.members.join(', ') ?? ''})`);
  }

  private finish(asker: Asker, outcome: { ok: true; version: CibVersion } | { ok: false; refused: boolean; message: string }): void {
    if (asker.kind === 'peer') {
      this.send(
        asker.node,
        outcome.ok
          ? { t: 'cib-change-result', req: asker.req, ok: true, version: outcome.version }
          : { t: 'cib-change-result', req: asker.req, ok: false, error: outcome.message, refused: outcome.refused },
      );
    } else if (outcome.ok) this.out.push({ type: 'committed', request: asker.request, version: outcome.version });
    else this.out.push({ type: 'rejected', request: asker.request, refused: outcome.refused, message: outcome.message });
  }

  // ——— a member taking the DC's copy ———

  private pushed(from: string, msg: Extract<ReplicationMessage<C>, { t: 'cib-full' | 'cib-patch' }>): void {
    const { view: viewId, commit } = msg;
    const v = this.view;
    const floor = Math.max(v?.id ?? 0, this.pushedIn.view);
    const otherDc = (v !== undefined && viewId === v.id && v.dc !== from) || (viewId === this.pushedIn.view && this.pushedIn.dc !== from);
    // The DC may install a view and push before this node installs it: a newer view is accepted.
    if (viewId < floor || otherDc) {
      this.send(from, { t: 'cib-ack', view: viewId, commit, ok: false, error: `${this.config.self} does not see ${from} as DC of view ${viewId}` });
      return;
    }
    let cib: XmlElement;
    try {
      cib = msg.t === 'cib-full' ? parseXml(msg.xml, `CIB from ${from}`) : applyCibPatch(this.cib, msg.patch);
    } catch (err) {
      // A patch that does not apply means we hold another base than the DC thought: ask for the whole CIB.
      if (msg.t === 'cib-patch') this.send(from, { t: 'cib-ack', view: viewId, commit, ok: false, needFull: true });
      else this.send(from, { t: 'cib-ack', view: viewId, commit, ok: false, error: (err as Error).message });
      return;
    }
    const incoming = cibVersion(cib);
    if (compareVersions(incoming, this.ver) < 0) {
      this.send(from, {
        t: 'cib-ack',
        view: viewId,
        commit,
        ok: false,
        newer: this.ver,
        error: `${this.config.self} holds CIB ${formatVersion(this.ver)}, newer than ${formatVersion(incoming)}`,
      });
      return;
    }
    const steppingDown = this.isDc() && v !== undefined && viewId > v.id;
    this.pushedIn = { view: viewId, dc: from };
    if (steppingDown) this.stepDown(v, viewId, from);
    this.committedEpoch = null;
    this.synced = true;
    this.setCib(cib);
    this.persist({ kind: 'ack', to: from, view: viewId, commit });
  }

  /**
   * A DC of a newer view pushed to us while our view still names us DC: the join rounds of ours
   * are dropped, and changes still queued are refused as a former DC's (see `progress`). A commit
   * under way runs out as it would at a view change: its members decide.
   */
  private stepDown(view: ReplicaView, newerViewId: number, newDc: string): void {
    this.log('info', `${newDc} pushed the CIB of view ${newerViewId} before this node installed that view: no longer DC of view ${view.id}`);
    if (this.busy !== null && this.busy.kind !== 'commit') this.busy = null;
    this.queue = this.queue.filter((w) => w.kind !== 'join');
  }

  // ——— plumbing ———

  private knownCommitted(): boolean {
    const c = this.committedEpoch;
    return c !== null && c.adminEpoch === this.ver.adminEpoch && c.epoch === this.ver.epoch;
  }

  private setCib(cib: XmlElement): void {
    this.cib = cib;
    this.ver = cibVersion(cib);
    this.out.push({ type: 'changed', cib });
  }

  private persist(then: OnPersisted): void {
    const seq = ++this.persistSeq;
    this.onPersisted.set(seq, then);
    this.out.push({ type: 'persist', seq, cib: this.cib });
  }

  private takePersisted(seq: number): OnPersisted | undefined {
    const then = this.onPersisted.get(seq);
    this.onPersisted.delete(seq);
    return then;
  }

  private send(to: string, msg: ReplicationMessage<C>): void {
    this.out.push({ type: 'send', to, msg });
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.out.push({ type: 'log', level, message });
  }

  private take(): ReplicationEffect<C>[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

const epochOf = (v: CibVersion): { adminEpoch: number; epoch: number } => ({ adminEpoch: v.adminEpoch, epoch: v.epoch });

/** A copy of `cib` whose version is above `floor` (same configuration epoch, more status updates). */
function above(cib: XmlElement, floor: CibVersion): XmlElement {
  const v = cibVersion(cib);
  const next = { ...cib, attrs: { ...cib.attrs } };
  setVersion(next, { ...v, numUpdates: Math.max(v.numUpdates, floor.numUpdates) + 1 });
  return next;
}
