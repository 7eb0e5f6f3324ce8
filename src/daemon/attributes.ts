import { diffCib, sameXml } from '../cib/index.js';
import { childrenNamed, element, firstChild, type XmlElement } from '../cib/xml.js';
import { applyStoreToCib, storeFromCib } from '../attributes/cib.js';
import {
  AttributeError,
  getAttribute,
  nextDue,
  setAttribute,
  type AttributeRef,
  type AttributeScope,
  type AttributeStore,
  type PendingWrite,
} from '../attributes/store.js';
import { ApiRequestError } from './api-protocol.js';
import type { AttrRequest, AttrUpdate } from './attributes-protocol.js';
import { CibChangeError, type ClusterNode } from './cib-apply.js';
import type { CibChange } from './cib-messages.js';
import type { CibVersion } from './cib-version.js';
import { CommitError } from './replication.js';

/** What the attribute service needs of the replicated CIB (CibReplica). */
export interface AttributeCib {
  current(): XmlElement;
  /** Commits through the DC; resolves once the cluster holds the change. */
  change(change: CibChange): Promise<CibVersion>;
}

export interface DaemonAttributesOptions {
  self: string;
  /** The cluster's nodes: one may get attributes before the DC has listed it in <nodes>. */
  nodes: readonly ClusterNode[];
  cib: AttributeCib;
  now?: () => number;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** A request the daemon refuses as given (bad name, unknown node): nothing was changed. */
export class AttributeRequestError extends Error {
  override name = 'AttributeRequestError';
}

export interface UpdateResult {
  committed: boolean;
  version?: CibVersion;
  /** Dampened writes waiting for their delay to end (epoch ms). */
  pending: { node: string; name: string; dueMs: number }[];
}

/** A patch made against a version the DC has moved past: make it again on the newer CIB. */
const STALE = /patch is for CIB version/;
const ATTEMPTS = 8;

/**
 * vigild's attribute service (Pacemaker's attrd): node attributes live in the replicated CIB —
 * transient ones in status/node_state/transient_attributes, permanent ones in the
 * configuration's nodes section — and every write is a CIB patch committed through the DC, so
 * all nodes hold it when the update returns. Dampened writes wait here, on the node that
 * received them, and reach the CIB once their delay ends: a flapping value costs no commits.
 */
export class DaemonAttributes {
  private pending: readonly PendingWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** This node's writes one at a time, so they never race each other's CIB version. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly o: DaemonAttributesOptions) {
    this.now = o.now ?? Date.now;
  }

  /** One API request; errors carry the exit status as sysexits: 65 the request is wrong, 75 try again. */
  async handle(req: AttrRequest): Promise<unknown> {
    try {
      switch (req.op) {
        case 'attr.update':
          return await this.update(req.updates);
        case 'attr.query':
          return this.query(req.name, req.scope, req.node);
        case 'attr.list':
          return this.list(req.node);
      }
    } catch (err) {
      if (err instanceof AttributeRequestError || err instanceof CibChangeError) throw new ApiRequestError(err.message, 65);
      if (err instanceof CommitError) throw new ApiRequestError(err.message, 75);
      throw err;
    }
  }

  /** The attributes as the CIB holds them, with this node's dampened writes not yet committed. */
  snapshot(): AttributeStore {
    return { ...storeFromCib(this.o.cib.current()), pending: this.pending };
  }

  query(name: string, scope: AttributeScope, node?: string): { name: string; scope: AttributeScope; values: { node: string; value: string }[] } {
    const store = storeFromCib(this.o.cib.current());
    const nodes = scope === 'cluster' ? [''] : node !== undefined ? [node] : Object.keys(store.values[scope]).sort();
    const values = nodes.flatMap((n) => {
      const value = getAttribute(store, { scope, node: n, name });
      return value === undefined ? [] : [{ node: n, value }];
    });
    return { name, scope, values };
  }

  /** `self` tells a client which node "this node" is (the default of attrd_updater and crm_attribute). */
  list(node?: string): { self: string; values: AttributeStore['values']; pending: PendingWrite[] } {
    const store = this.snapshot();
    const self = this.o.self;
    if (node === undefined) return { self, values: store.values, pending: [...store.pending] };
    const pick = (scope: AttributeScope): Record<string, Record<string, string>> => (store.values[scope][node] ? { [node]: { ...store.values[scope][node] } } : {});
    return {
      self,
      values: { transient: pick('transient'), permanent: pick('permanent'), utilization: pick('utilization'), cluster: store.values.cluster },
      pending: store.pending.filter((p) => p.node === node),
    };
  }

  async update(updates: AttrUpdate[]): Promise<UpdateResult> {
    const refs = updates.map((u): AttributeRef => ({ scope: u.scope, node: u.scope === 'cluster' ? '' : (u.node ?? this.o.self), name: u.name }));
    // Everything is checked before anything changes: a bad write in a batch refuses the batch.
    let trial: AttributeStore = this.snapshot();
    try {
      updates.forEach((u, i) => {
        trial = setAttribute(trial, refs[i], u.value ?? undefined, { dampenMs: u.dampenMs, nowMs: this.now() });
      });
      const cib = withKnownNodes(this.o.cib.current(), this.o.nodes);
      applyStoreToCib(cib, storeFromCib(cib), trial);
    } catch (err) {
      if (err instanceof AttributeError) throw new AttributeRequestError(err.message);
      throw err;
    }
    const direct = updates.map((u, i) => ({ u, ref: refs[i] })).filter(({ u }) => !u.dampenMs);
    const dampened = updates.map((u, i) => ({ u, ref: refs[i] })).filter(({ u }) => (u.dampenMs ?? 0) > 0);
    for (const { u, ref } of dampened) {
      const next = setAttribute({ ...storeFromCib(this.o.cib.current()), pending: this.pending }, ref, u.value ?? undefined, { dampenMs: u.dampenMs, nowMs: this.now() });
      this.pending = next.pending;
    }
    // A direct write supersedes a dampened one of the same attribute still waiting.
    this.pending = this.pending.filter((p) => !direct.some(({ ref }) => ref.scope === 'transient' && ref.node === p.node && ref.name === p.name));
    this.schedule();
    const version = direct.length
      ? await this.commit((store) => direct.reduce((acc, { u, ref }) => setAttribute(acc, ref, u.value ?? undefined), store), 'attribute update')
      : undefined;
    return { committed: direct.length > 0, version, pending: this.pending.map((p) => ({ node: p.node, name: p.name, dueMs: p.dueMs })) };
  }

  /**
   * A node left the membership: its transient attributes go (the DC does this, as Pacemaker's
   * does on node loss), and so do the dampened writes for it still waiting here.
   */
  nodeLeft(node: string, isDc: boolean): void {
    this.pending = this.pending.filter((p) => p.node !== node);
    this.schedule();
    if (!isDc) return;
    this.commitXml((cib) => withoutTransient(cib, node), `clearing ${node}'s transient attributes`).then(
      (version) => {
        if (version) this.o.log('info', `cleared the transient attributes of ${node}, which left`, { event: 'attributes-cleared', peer: node });
      },
      (err: Error) => this.o.log('warn', `could not clear the transient attributes of ${node}: ${err.message}`),
    );
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const due = nextDue({ ...storeFromCib(this.o.cib.current()), pending: this.pending });
    if (due === undefined) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - this.now()));
    this.timer.unref();
  }

  private flush(): void {
    const now = this.now();
    const due = this.pending.filter((p) => p.dueMs <= now);
    this.pending = this.pending.filter((p) => p.dueMs > now);
    this.schedule();
    if (due.length === 0) return;
    this.commit((store) => due.reduce((acc, p) => setAttribute(acc, { scope: 'transient', node: p.node, name: p.name }, p.value), store), 'dampened attribute update').catch(
      (err: Error) => this.o.log('warn', `dampened attribute update (${due.map((p) => `${p.node}:${p.name}`).join(', ')}) failed: ${err.message}`),
    );
  }

  private commit(change: (store: AttributeStore) => AttributeStore, what: string): Promise<CibVersion | undefined> {
    return this.commitXml((current) => {
      const cib = withKnownNodes(current, this.o.nodes);
      const before = storeFromCib(cib);
      return applyStoreToCib(cib, before, change(before));
    }, what);
  }

  /**
   * Makes the change on this node's copy of the CIB and sends the difference to the DC as a
   * patch; when another change got there first, it is made again on the newer copy.
   */
  private commitXml(edit: (cib: XmlElement) => XmlElement, what: string): Promise<CibVersion | undefined> {
    const run = async (): Promise<CibVersion | undefined> => {
      for (let attempt = 1; ; attempt++) {
        const cib = this.o.cib.current();
        let next: XmlElement;
        try {
          next = edit(cib);
        } catch (err) {
          if (err instanceof AttributeError) throw new AttributeRequestError(err.message);
          throw err;
        }
        if (sameXml(cib, next)) return undefined;
        try {
          return await this.o.cib.change({ op: 'patch', patch: diffCib(cib, next) });
        } catch (err) {
          if (attempt >= ATTEMPTS || !STALE.test((err as Error).message)) throw err;
          this.o.log('debug', `${what}: the CIB moved on meanwhile; trying again (${attempt})`);
          await new Promise((r) => setTimeout(r, 10 * attempt));
        }
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * The CIB with every cluster node in <nodes>, as the DC's membership update lists them: a write
 * that comes before that update (just after start-up) need not fail for it.
 */
function withKnownNodes(cib: XmlElement, nodes: readonly ClusterNode[]): XmlElement {
  const config = firstChild(cib, 'configuration');
  const nodesEl = config && firstChild(config, 'nodes');
  if (!config || !nodesEl) return cib;
  const listed = new Set(childrenNamed(nodesEl, 'node').map((n) => n.attrs.uname ?? n.attrs.id));
  const missing = nodes.filter((n) => !listed.has(n.name));
  if (missing.length === 0) return cib;
  const newNodes: XmlElement = { ...nodesEl, children: [...nodesEl.children, ...missing.map((n) => element('node', { id: String(n.id), uname: n.name }))] };
  const newConfig: XmlElement = { ...config, children: config.children.map((c) => (c === nodesEl ? newNodes : c)) };
  return { ...cib, children: cib.children.map((c) => (c === config ? newConfig : c)) };
}

function withoutTransient(cib: XmlElement, node: string): XmlElement {
  const status = firstChild(cib, 'status');
  const state = status && childrenNamed(status, 'node_state').find((s) => (s.attrs.uname ?? s.attrs.id) === node);
  if (!status || !state || !firstChild(state, 'transient_attributes')) return cib;
  const cleared: XmlElement = { ...state, children: state.children.filter((c) => c.name !== 'transient_attributes') };
  const newStatus: XmlElement = { ...status, children: status.children.map((c) => (c === state ? cleared : c)) };
  return { ...cib, children: cib.children.map((c) => (c === status ? newStatus : c)) };
}
