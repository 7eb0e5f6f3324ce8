import { randomUUID } from 'node:crypto';
import { ReplicationCore, type ReplicationEffect, type ReplicationRules } from '../cib/replication/index.js';
import type { XmlElement } from '../cib/xml.js';
import { adoptNewer, applyChange, applyMembership, CibChangeError, type ClusterIdentity, type ClusterNode } from './cib-apply.js';
import type { CibChange, CibMessage } from './cib-messages.js';
import type { CibVersion } from './cib-version.js';
import type { CibStore } from './cib-store.js';
import type { Logger } from './log.js';

export type { ReplicaView } from '../cib/replication/index.js';
import type { ReplicaView } from '../cib/replication/index.js';

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
  /**
   * Every CIB this node holds, once it is on disk — from the moment the copy is live (see
   * `ReplicationCore.isLive`): the copy read at start is never given, nor one a DC holds before
   * every member has persisted its join round. What acts on the CIB (the controller) listens here.
   */
  onCib?: (cib: XmlElement) => void;
}

export class CommitError extends Error {
  override name = 'CommitError';
}

/** The daemon's CIB rules (cib-apply) in the shape the replication core takes. */
export function replicationRules(nodes: readonly ClusterNode[], identity?: ClusterIdentity): ReplicationRules<CibChange> {
  return {
    apply: (cib, change, origin) => applyChange(cib, change, nodes, origin),
    membership: (cib, view, origin) => applyMembership(cib, nodes, view, identity, origin),
    // After a heal, each node's state (history, fail counts) from its side of the partition.
    adopt: adoptNewer,
  };
}

/**
 * The replicated CIB on one node: the I/O shell around src/cib/replication's state machine (the
 * protocol and its guarantees are described there). It carries out the machine's effects —
 * messages on the stream channel, durable writes through the store, answers to local clients —
 * feeds back their completions, and wakes the machine at its next deadline.
 */
export class CibReplica {
  private readonly core: ReplicationCore<CibChange>;
  private readonly clients = new Map<string, { resolve: (v: CibVersion) => void; reject: (e: Error) => void }>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs = Infinity;
  /** The newest CIB on disk, given to `onCib` when the copy becomes live if it was held back. */
  private saved: XmlElement | null = null;
  private given: XmlElement | null = null;

  constructor(private readonly opts: ReplicaOptions) {
    this.core = new ReplicationCore<CibChange>({
      self: opts.self,
      rules: replicationRules(opts.nodes, opts.identity),
      initial: opts.initial,
      timeoutMs: opts.timeoutMs,
    });
  }

  current(): XmlElement {
    return this.core.current();
  }

  version(): CibVersion {
    return this.core.version();
  }

  /** See `ReplicationCore.isLive`. */
  isLive(): boolean {
    return this.core.isLive();
  }

  /** Membership installed a new view. The DC of the view starts a join round. */
  onView(view: ReplicaView): void {
    this.run(this.core.onView(view, Date.now()));
  }

  /**
   * A local client's change: applied here when we are the DC, else forwarded to the DC.
   * Resolves with the new version once every member has persisted it; rejects with
   * CibChangeError when the change itself is wrong, CommitError when it could not be committed.
   */
  change(change: CibChange): Promise<CibVersion> {
    const request = randomUUID();
    const done = new Promise<CibVersion>((resolve, reject) => this.clients.set(request, { resolve, reject }));
    this.run(this.core.submit(request, change, Date.now()));
    return done;
  }

  /** Messages from peers (already authenticated and parsed). */
  onMessage(from: string, msg: CibMessage): void {
    this.run(this.core.receive(from, msg, Date.now()));
  }

  private run(effects: ReplicationEffect<CibChange>[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'send':
          this.opts.send(e.to, e.msg).catch((err: Error) => this.run(this.core.sendFailed(e.to, e.msg, err.message, Date.now())));
          break;
        case 'persist':
          // The store serialises its writes, so completions come back in the order asked.
          this.opts.store.save(e.cib).then(
            () => {
              this.saved = e.cib;
              if (this.core.isLive()) this.give(e.cib);
              this.run(this.core.persisted(e.seq, Date.now()));
            },
            (err: Error) => this.run(this.core.persistFailed(e.seq, err.message, Date.now())),
          );
          break;
        case 'committed':
          this.clients.get(e.request)?.resolve(e.version);
          this.clients.delete(e.request);
          break;
        case 'rejected':
          this.clients.get(e.request)?.reject(e.refused ? new CibChangeError(e.message) : new CommitError(e.message));
          this.clients.delete(e.request);
          break;
        case 'synchronised':
          if (this.saved !== null) this.give(this.saved);
          break;
        case 'changed':
          break;
        case 'log':
          this.opts.log(e.level, e.message);
          break;
      }
    }
    this.arm();
  }

  private give(cib: XmlElement): void {
    if (cib === this.given) return;
    this.given = cib;
    this.opts.onCib?.(cib);
  }

  /** One timer, at the machine's next deadline. */
  private arm(): void {
    const due = this.core.nextDeadlineMs();
    if (due === this.timerDueMs) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = due;
    if (!Number.isFinite(due)) return;
    this.timer = setTimeout(() => {
      this.timerDueMs = Infinity;
      this.run(this.core.tick(Date.now()));
    }, Math.max(0, due - Date.now()));
  }
}

export { CibChangeError };
