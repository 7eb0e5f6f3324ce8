import { randomUUID } from 'node:crypto';
import { applyCibPatch, diffCib } from '../cib/index.js';
import { parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import { applyChange, applyMembership, CibChangeError, type ClusterIdentity, type ClusterNode } from './cib-apply.js';
import type { CibPatch } from '../cib/index.js';
import type { CibChange, CibMessage } from './cib-messages.js';
import { cibVersion, compareVersions, formatVersion, type CibVersion } from './cib-version.js';
import type { CibStore } from './cib-store.js';
import type { Logger } from './log.js';

export interface ReplicaView {
  id: number;
  members: readonly string[];
  dc: string | null;
  quorate: boolean;
}

export interface ReplicaOptions {
  self: string;
  nodes: readonly ClusterNode[];
  store: Pick<CibStore, 'save'>;
  initial: XmlElement;
  send: (node: string, msg: CibMessage) => Promise<void>;
  log: Logger;
  identity?: ClusterIdentity;
  /** How long the DC waits for offers and acknowledgements before giving up on a member. */
  timeoutMs: number;
}

export class CommitError extends Error {
  override name = 'CommitError';
}

interface PendingCommit {
  version: CibVersion;
  xml: string;
  viewId: number;
  waiting: Set<string>;
  failed: string[];
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/**
 * The replicated CIB on one node. The DC holds the authoritative copy: when a view forms it
 * collects every member's version, adopts the newest (so after a partition heals the newest
 * configuration wins), records membership in the status section and pushes the result to every
 * member. Every change, from any node, goes through the DC, and is reported committed only when
 * every member of the view has written it to disk. Whole CIBs are shipped: simple, and at the
 * sizes a cluster configuration has, cheap on the stream channel.
 */
export class CibReplica {
  private cib: XmlElement;
  private view: ReplicaView | undefined;
  /** Serialises the DC's work: a join round, then changes one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private commitSeq = 0;
  private readonly commits = new Map<number, PendingCommit>();
  private readonly offers = new Map<number, { waiting: Set<string>; got: Map<string, CibVersion>; resolve: () => void }>();
  private readonly fetches = new Map<string, (xml: string) => void>();
  /** The version each member last confirmed holding, so that the next commit can be a patch. */
  private readonly memberVersions = new Map<string, CibVersion>();
  private readonly changes = new Map<string, { resolve: (v: CibVersion) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly opts: ReplicaOptions) {
    this.cib = opts.initial;
  }

  current(): XmlElement {
    return this.cib;
  }

  version(): CibVersion {
    return cibVersion(this.cib);
  }

  private isDc(): boolean {
    return this.view?.dc === this.opts.self;
  }

  /** Membership installed a new view. The DC of the view starts a join round. */
  onView(view: ReplicaView): void {
    this.view = view;
    for (const [commit, p] of this.commits) {
      for (const node of [...p.waiting]) if (!view.members.includes(node)) this.settleAck(commit, node);
    }
    for (const [, o] of this.offers) {
      for (const node of [...o.waiting]) if (!view.members.includes(node)) o.waiting.delete(node);
      if (o.waiting.size === 0) o.resolve();
    }
    if (!this.isDc()) return;
    const viewId = view.id;
    this.enqueue(async () => {
      if (this.view?.id !== viewId || !this.isDc()) return;
      await this.joinRound(viewId);
    }).catch((err: Error) => this.opts.log('warn', `CIB join round for view ${viewId} failed: ${err.message}`));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async joinRound(viewId: number): Promise<void> {
    const view = this.view as ReplicaView;
    const others = view.members.filter((m) => m !== this.opts.self);
    const got = new Map<string, CibVersion>();
    if (others.length > 0) {
      await new Promise<void>((resolve) => {
        const waiting = new Set(others);
        const timer = setTimeout(resolve, this.opts.timeoutMs);
        this.offers.set(viewId, {
          waiting,
          got,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        for (const node of others) this.sendQuiet(node, { t: 'cib-offer-req', view: viewId });
      });
      this.offers.delete(viewId);
    }
    for (const [node, version] of got) this.memberVersions.set(node, version);
    let best: { node: string; version: CibVersion } = { node: this.opts.self, version: this.version() };
    for (const [node, version] of got) if (compareVersions(version, best.version) > 0) best = { node, version };
    if (best.node !== this.opts.self) {
      this.opts.log('info', `CIB ${formatVersion(best.version)} on ${best.node} is newer than ours (${formatVersion(this.version())}); adopting it`);
      const xml = await this.fetchFrom(best.node, viewId);
      const fetched = parseXml(xml, `CIB from ${best.node}`);
      if (compareVersions(cibVersion(fetched), this.version()) > 0) this.cib = fetched;
    }
    const withMembership = applyMembership(this.cib, this.opts.nodes, view, this.opts.identity, { node: this.opts.self, client: 'vigild', nowMs: Date.now() });
    if (withMembership !== null) this.cib = withMembership;
    // Even an unchanged CIB is pushed: a member that was away may hold an older one.
    await this.commit(viewId);
    this.opts.log('info', `CIB ${formatVersion(this.version())} synchronised to view ${viewId} (${view.members.join(', ')})`);
  }

  private fetchFrom(node: string, viewId: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fetches.delete(node);
        reject(new Error(`${node} did not send its CIB within ${this.opts.timeoutMs} ms`));
      }, this.opts.timeoutMs);
      this.fetches.set(node, (xml) => {
        clearTimeout(timer);
        this.fetches.delete(node);
        resolve(xml);
      });
      this.sendQuiet(node, { t: 'cib-fetch', view: viewId });
    });
  }

  /**
   * DC: persist locally, push to every member, wait until all have persisted. A member known
   * to hold `previous` gets the patch from it; any other gets the whole CIB.
   */
  private async commit(viewId: number, previous?: XmlElement): Promise<void> {
    await this.opts.store.save(this.cib);
    const view = this.view;
    if (view === undefined) return;
    const others = view.members.filter((m) => m !== this.opts.self);
    if (others.length === 0) return;
    const commit = ++this.commitSeq;
    const xml = serializeXml(this.cib);
    const version = this.version();
    const base = previous === undefined ? undefined : cibVersion(previous);
    const patch = previous === undefined ? undefined : diffCib(previous, this.cib);
    const failed = await new Promise<string[]>((resolve) => {
      const p: PendingCommit = {
        version,
        xml,
        viewId,
        waiting: new Set(others),
        failed: [],
        resolve: () => {
          clearTimeout(p.timer);
          this.commits.delete(commit);
          resolve(p.failed);
        },
        timer: setTimeout(() => {
          p.failed.push(...[...p.waiting].map((n) => `${n} (no acknowledgement within ${this.opts.timeoutMs} ms)`));
          p.resolve();
        }, this.opts.timeoutMs),
      };
      this.commits.set(commit, p);
      for (const node of others) {
        const known = this.memberVersions.get(node);
        const msg: CibMessage =
          patch !== undefined && base !== undefined && known !== undefined && compareVersions(known, base) === 0
            ? { t: 'cib-patch', view: viewId, commit, patch }
            : { t: 'cib-full', view: viewId, commit, xml };
        this.pushTo(node, commit, msg);
      }
    });
    if (failed.length > 0) throw new CommitError(`not every member persisted CIB ${formatVersion(this.version())}: ${failed.join(', ')}`);
  }

  private pushTo(node: string, commit: number, msg: CibMessage): void {
    this.opts.send(node, msg).catch((err: Error) => {
      this.memberVersions.delete(node);
      this.commits.get(commit)?.failed.push(`${node} (${err.message})`);
      this.settleAck(commit, node);
    });
  }

  private settleAck(commit: number, node: string): void {
    const p = this.commits.get(commit);
    if (p === undefined) return;
    p.waiting.delete(node);
    if (p.waiting.size === 0) p.resolve();
  }

  /**
   * A local client's change: applied here when we are the DC, else forwarded to the DC.
   * Resolves with the new version once every member has persisted it.
   */
  change(change: CibChange): Promise<CibVersion> {
    const dc = this.view?.dc ?? null;
    if (dc === null) return Promise.reject(new CommitError('there is no DC in this partition yet; the change was not made'));
    if (dc === this.opts.self) return this.applyAsDc(change, this.opts.self);
    const req = randomUUID();
    return new Promise<CibVersion>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.changes.delete(req);
        reject(new CommitError(`the DC (${dc}) did not confirm the change within ${this.opts.timeoutMs * 3} ms; it may or may not have been committed`));
      }, this.opts.timeoutMs * 3);
      this.changes.set(req, { resolve, reject, timer });
      this.opts.send(dc, { t: 'cib-change', req, change }).catch((err: Error) => {
        clearTimeout(timer);
        this.changes.delete(req);
        reject(new CommitError(`cannot reach the DC (${dc}): ${err.message}; the change was not made`));
      });
    });
  }

  private applyAsDc(change: CibChange, origin: string): Promise<CibVersion> {
    return this.enqueue(async () => {
      if (!this.isDc() || this.view === undefined) throw new CommitError('this node stopped being the DC; retry');
      const previous = this.cib;
      this.cib = applyChange(previous, change, this.opts.nodes, { node: origin, client: 'vigil', nowMs: Date.now() });
      await this.commit(this.view.id, previous);
      return this.version();
    });
  }

  /** Messages from peers (already authenticated and parsed). */
  onMessage(from: string, msg: CibMessage): void {
    switch (msg.t) {
      case 'cib-offer-req':
        this.sendQuiet(from, { t: 'cib-offer', view: msg.view, version: this.version() });
        return;
      case 'cib-offer': {
        const o = this.offers.get(msg.view);
        if (o === undefined || !o.waiting.has(from)) return;
        o.got.set(from, msg.version);
        o.waiting.delete(from);
        if (o.waiting.size === 0) o.resolve();
        return;
      }
      case 'cib-fetch':
        this.sendQuiet(from, { t: 'cib-fetched', view: msg.view, xml: serializeXml(this.cib) });
        return;
      case 'cib-fetched':
        this.fetches.get(from)?.(msg.xml);
        return;
      case 'cib-full':
        void this.adopt(from, msg.view, msg.commit, msg.xml);
        return;
      case 'cib-ack': {
        const p = this.commits.get(msg.commit);
        if (p === undefined || !p.waiting.has(from)) return;
        if (msg.needFull) {
          this.memberVersions.delete(from);
          this.pushTo(from, msg.commit, { t: 'cib-full', view: p.viewId, commit: msg.commit, xml: p.xml });
          return;
        }
        if (msg.ok) this.memberVersions.set(from, p.version);
        else {
          this.memberVersions.delete(from);
          p.failed.push(`${from} (${msg.error ?? 'refused'})`);
        }
        this.settleAck(msg.commit, from);
        return;
      }
      case 'cib-patch':
        void this.adoptPatch(from, msg.view, msg.commit, msg.patch);
        return;
      case 'cib-change':
        if (!this.isDc()) {
          this.sendQuiet(from, { t: 'cib-change-result', req: msg.req, ok: false, error: `${this.opts.self} is not the DC` });
          return;
        }
        this.applyAsDc(msg.change, from).then(
          (version) => this.sendQuiet(from, { t: 'cib-change-result', req: msg.req, ok: true, version }),
          (err: Error) =>
            this.sendQuiet(from, { t: 'cib-change-result', req: msg.req, ok: false, error: err.message, refused: err instanceof CibChangeError }),
        );
        return;
      case 'cib-change-result': {
        const c = this.changes.get(msg.req);
        if (c === undefined) return;
        clearTimeout(c.timer);
        this.changes.delete(msg.req);
        if (msg.ok && msg.version) c.resolve(msg.version);
        else if (msg.refused) c.reject(new CibChangeError(msg.error ?? 'the DC refused the change'));
        else c.reject(new CommitError(msg.error ?? 'the DC could not commit the change'));
        return;
      }
    }
  }

  /** Member: the DC's copy replaces ours, whatever its version, because the DC decided. */
  /**
   * The DC may install a view and push its CIB before this node has installed the same view:
   * a newer view id is accepted, an older one or another DC of the same view is not.
   */
  private acceptsFrom(from: string, viewId: number, commit: number): boolean {
    const v = this.view;
    if (v !== undefined && (viewId < v.id || (viewId === v.id && v.dc !== from))) {
      this.sendQuiet(from, { t: 'cib-ack', view: viewId, commit, ok: false, error: `${this.opts.self} does not see ${from} as DC of view ${viewId}` });
      return false;
    }
    return true;
  }

  private async adoptPatch(from: string, viewId: number, commit: number, patch: CibPatch): Promise<void> {
    if (!this.acceptsFrom(from, viewId, commit)) return;
    let cib: XmlElement;
    try {
      cib = applyCibPatch(this.cib, patch);
    } catch {
      // Not the base version the DC thought we hold: ask for the whole CIB instead.
      this.sendQuiet(from, { t: 'cib-ack', view: viewId, commit, ok: false, needFull: true });
      return;
    }
    await this.persist(from, viewId, commit, cib);
  }

  private async adopt(from: string, viewId: number, commit: number, xml: string): Promise<void> {
    if (!this.acceptsFrom(from, viewId, commit)) return;
    let cib: XmlElement;
    try {
      cib = parseXml(xml, `CIB from ${from}`);
    } catch (err) {
      this.sendQuiet(from, { t: 'cib-ack', view: viewId, commit, ok: false, error: (err as Error).message });
      return;
    }
    await this.persist(from, viewId, commit, cib);
  }

  private async persist(from: string, viewId: number, commit: number, cib: XmlElement): Promise<void> {
    try {
      await this.opts.store.save(cib);
      this.cib = cib;
      this.sendQuiet(from, { t: 'cib-ack', view: viewId, commit, ok: true });
    } catch (err) {
      this.opts.log('error', `cannot persist the CIB from ${from}: ${(err as Error).message}`);
      this.sendQuiet(from, { t: 'cib-ack', view: viewId, commit, ok: false, error: (err as Error).message });
    }
  }

  private sendQuiet(node: string, msg: CibMessage): void {
    this.opts.send(node, msg).catch((err: Error) => this.opts.log('warn', `cannot send ${msg.t} to ${node}: ${err.message}`));
  }
}

export { CibChangeError };
