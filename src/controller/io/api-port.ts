import { readFileSync } from 'node:fs';
import { parseXml, serializeXml, type XmlElement } from '../../cib/xml.js';
import { connect, type DaemonClient } from '../../daemon/client.js';
import type { DaemonSettings } from '../../daemon/settings.js';
import { deriveKeys, readKeyFile, StreamTransport, zeroCounters } from '../../transport/index.js';
import type { MembershipView } from '../controller.js';
import { applyStatusUpdates, type StatusUpdate } from '../history.js';
import { mergeNodeState } from '../status-merge.js';
import { withDcIdentity } from '../dc-identity.js';
import { parseControllerMessage, type ControllerMessage } from './messages.js';
import type { ClusterPort } from './service.js';

/** What the DC records as dc-version: vigil's package version (crm_mon's "(version ...)"). */
const VIGIL_VERSION = ((): string => {
  try {
    return `vigil ${(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
  } catch {
    return 'vigil';
  }
})();

/** The controllers' own stream listens this far above the cluster port (vigild has the port itself). */
export const CONTROLLER_PORT_OFFSET = 1;

export interface ApiPortOptions {
  settings: DaemonSettings;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /** How often to ask vigild for the membership view, and for the CIB. */
  membershipPollMs?: number;
  cibPollMs?: number;
  onShutdownRequest: () => void;
}

/**
 * A ClusterPort for a controller running beside vigild as its own process: membership and the
 * CIB come from vigild's local API (polled: the API has no subscriptions), status writes go
 * through it (so they are committed through the DC), and controllers talk to each other over
 * their own authenticated stream, keyed like vigild's.
 */
export class ApiClusterPort implements ClusterPort {
  readonly self: string;
  private client: DaemonClient | null = null;
  private stream: StreamTransport;
  private cibListeners: ((cib: XmlElement) => void)[] = [];
  private viewListeners: ((view: MembershipView) => void)[] = [];
  private messageListeners: ((from: string, msg: ControllerMessage) => void)[] = [];
  private lastCibText = '';
  private daemonCib: XmlElement | null = null;
  /** Operation history and transient attributes, which vigild does not keep: see mergedCib(). */
  private overlay: XmlElement = { name: 'status', attrs: {}, children: [] };
  private view: MembershipView = { members: [], dc: null, quorate: false };
  /** Bumped at every overlay change; what each member last acknowledged having. */
  private overlayVersion = 0;
  private readonly delivered = new Map<string, number>();
  private lastMembers: string[] = [];
  private lastViewKey = '';
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private polling = { membership: false, cib: false };

  constructor(private readonly o: ApiPortOptions) {
    const s = o.settings;
    this.self = s.self;
    const selfNode = s.nodes.find((n) => n.name === s.self);
    this.stream = new StreamTransport({
      self: s.self,
      keys: deriveKeys(readKeyFile(s.keyFile)),
      encrypt: s.encrypt,
      knownNodes: new Set(s.nodes.map((n) => n.name)),
      peerAddresses: (node) => (s.nodes.find((n) => n.name === node)?.addresses ?? []).filter((a) => a !== '' && a !== '0.0.0.0'),
      port: (s.links[0]?.port ?? 694) + CONTROLLER_PORT_OFFSET,
      bindAddresses: selfNode?.addresses.includes('0.0.0.0') ? ['0.0.0.0'] : [...new Set(selfNode?.addresses ?? [])],
      log: (level, message) => o.log(level, message),
      counters: zeroCounters(),
      onMessage: (from, body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          o.log('warn', `malformed controller message from ${from}: dropped`);
          return;
        }
        const msg = parseControllerMessage(parsed);
        if (!msg) {
          o.log('warn', `invalid controller message from ${from}: dropped`);
          return;
        }
        this.heard(from, msg.t === 'hello');
        if (msg.t === 'hello') return;
        if (msg.t === 'status') {
          if (from !== this.view.dc) return;
          try {
            this.overlay = parseXml(msg.xml, `status from ${from}`);
          } catch (err) {
            o.log('warn', `unreadable status from ${from}: ${(err as Error).message}`);
            return;
          }
          this.send(from, { t: 'status-ack', version: msg.version }).catch(() => undefined);
          this.deliver();
          return;
        }
        if (msg.t === 'status-ack') {
          this.delivered.set(from, Math.max(msg.version, this.delivered.get(from) ?? -1));
          return;
        }
        if (msg.t === 'status-edit') {
          this.submitStatusEdit(msg.updates);
          return;
        }
        for (const l of this.messageListeners) l(from, msg);
      },
    });
  }

  async start(): Promise<void> {
    await this.stream.start();
    const every = (ms: number, fn: () => Promise<void>, key: 'membership' | 'cib'): void => {
      const run = (): void => {
        if (this.closed || this.polling[key]) return;
        this.polling[key] = true;
        fn()
          .catch((err: unknown) => {
            this.o.log('debug', `polling vigild (${key}) failed: ${(err as Error).message}`);
            this.client?.close();
            this.client = null;
          })
          .finally(() => (this.polling[key] = false));
      };
      this.timers.push(setInterval(run, ms));
      run();
    };
    every(this.o.membershipPollMs ?? 50, () => this.pollMembership(), 'membership');
    this.timers.push(
      setInterval(() => {
        this.replicate();
        this.sayHello();
      }, 500),
    );
    every(this.o.cibPollMs ?? 500, () => this.pollCib(), 'cib');
  }

  private async api(): Promise<DaemonClient> {
    this.client ??= await connect(this.o.settings.socketPath);
    return this.client;
  }

  private async pollMembership(): Promise<void> {
    const answer = (await (await this.api()).request({ op: 'membership' })) as { view?: { members?: string[]; dc?: string | null; quorate?: boolean } };
    const v = answer.view;
    if (!v || !Array.isArray(v.members)) return;
    const view: MembershipView = { members: v.members, dc: v.dc ?? null, quorate: v.quorate === true };
    if (JSON.stringify(view) === JSON.stringify(this.daemonView)) return;
    // The CIB first: the controller should plan on the newest CIB the view change finds.
    await this.pollCib();
    this.daemonView = view;
    for (const node of this.lastMembers) {
      if (view.members.includes(node)) continue;
      // A member that comes back has to join again and be sent the overlay again; a connection
      // to a node that left may be dead without knowing it (no reset crosses a cut link).
      this.delivered.delete(node);
      this.ready.delete(node);
      this.stream.forget(node);
    }
    this.lastMembers = [...view.members];
    this.sayHello();
    this.emitView();
  }

  /**
   * A member's controller is "ready" (its join complete) once it has said something to us since
   * it joined; until then the controller sees it as join=pending and places nothing there.
   */
  private readonly ready = new Set<string>();
  private daemonView: MembershipView = { members: [], dc: null, quorate: false };

  private heard(from: string, hello: boolean): void {
    // A hello comes from a controller that (re)started or just learnt of us: it may have no overlay.
    if (hello) this.delivered.delete(from);
    if (!this.daemonView.members.includes(from) || this.ready.has(from)) return;
    this.ready.add(from);
    if (hello) this.send(from, { t: 'hello' }).catch(() => undefined);
    this.emitView();
  }

  private sayHello(): void {
    for (const node of this.daemonView.members) if (node !== this.self && !this.ready.has(node)) this.send(node, { t: 'hello' }).catch(() => undefined);
  }

  private emitView(): void {
    const v = this.daemonView;
    const view: MembershipView = { ...v, pending: v.members.filter((m) => m !== this.self && !this.ready.has(m)) };
    const key = JSON.stringify(view);
    if (key === this.lastViewKey) return;
    this.lastViewKey = key;
    this.view = view;
    for (const l of this.viewListeners) l(view);
  }

  private async pollCib(): Promise<void> {
    const text = await (await this.api()).request({ op: 'cib.query' });
    if (typeof text !== 'string' || text === this.lastCibText) return;
    this.lastCibText = text;
    this.daemonCib = parseXml(text, 'live CIB');
    this.deliver();
  }

  private deliver(): void {
    const cib = this.mergedCib();
    if (cib) for (const l of this.cibListeners) l(cib);
  }

  /**
   * vigild's CIB with the controller's status overlay: node states (membership) and the
   * attribute service's transient attributes from vigild, operation history and fail counts
   * from the DC's controller (mergeNodeState). vigild refuses writes
   * to the status section, so the controllers keep and replicate that part themselves; a node
   * the overlay says was fenced or cleared stays "expected down" until the DC's controller has
   * seen it join (vigild may see it first: it must not look unclean meanwhile).
   */
  mergedCib(): XmlElement | null {
    const cib = this.daemonCib;
    if (!cib) return null;
    const mine = new Map(this.overlay.children.filter((c) => c.name === 'node_state' && c.attrs.uname).map((c) => [c.attrs.uname as string, c]));
    const status = cib.children.find((c) => c.name === 'status');
    const seen = new Set<string>();
    const children: XmlElement[] = [];
    for (const state of status?.children ?? []) {
      const own = state.attrs.uname === undefined ? undefined : mine.get(state.attrs.uname);
      if (state.name !== 'node_state' || !own) {
        children.push(state);
        continue;
      }
      seen.add(state.attrs.uname as string);
      children.push(mergeNodeState(state, own));
    }
    for (const [name, own] of mine) if (!seen.has(name)) children.push(own);
    return withDcIdentity({ ...cib, children: [...cib.children.filter((c) => c.name !== 'status'), { name: 'status', attrs: status?.attrs ?? {}, children }] }, VIGIL_VERSION);
  }

  private applyToOverlay(updates: StatusUpdate[]): void {
    const base = this.daemonCib ?? { name: 'cib', attrs: {}, children: [] };
    const next = applyStatusUpdates({ ...base, children: [...base.children.filter((c) => c.name !== 'status'), this.overlay] }, updates);
    this.overlay = next.children.find((c) => c.name === 'status') ?? this.overlay;
    this.overlayVersion += 1;
    this.replicate();
  }

  /**
   * The DC sends the overlay to every member that does not have the latest yet, again and again
   * until it gets through: a node whose controller was still starting must not stay without it
   * (it decides fencing delays from it, and takes over from it if the DC dies).
   */
  private replicate(): void {
    if (this.view.dc !== this.self) return;
    const version = this.overlayVersion;
    let body: Buffer | null = null;
    for (const node of this.view.members) {
      if (node === this.self || (this.delivered.get(node) ?? -1) >= version) continue;
      body ??= Buffer.from(JSON.stringify({ t: 'status', xml: serializeXml(this.overlay), version } satisfies ControllerMessage));
      // Acknowledged by the member itself: a write into a connection to a node that died is no delivery.
      this.stream.send(node, body).catch(() => undefined);
    }
  }

  /** An administrator's status edit: applied by the DC, which then plans again. */
  submitStatusEdit(updates: StatusUpdate[]): void {
    if (this.view.dc === this.self) {
      this.applyToOverlay(updates);
      this.deliver();
    } else if (this.view.dc !== null) this.send(this.view.dc, { t: 'status-edit', updates }).catch(() => undefined);
    else throw new Error('no DC: the cluster has no quorum-holding coordinator right now');
  }

  onCib(cb: (cib: XmlElement) => void): void {
    this.cibListeners.push(cb);
  }

  onMembership(cb: (view: MembershipView) => void): void {
    this.viewListeners.push(cb);
  }

  onMessage(cb: (from: string, msg: ControllerMessage) => void): void {
    this.messageListeners.push(cb);
  }

  /** The controller's own writes: kept in the overlay and replicated to the members. */
  async writeStatus(updates: StatusUpdate[]): Promise<void> {
    this.applyToOverlay(updates);
  }

  send(node: string, msg: ControllerMessage): Promise<void> {
    return this.stream.send(node, Buffer.from(JSON.stringify(msg))).catch((err: unknown) => {
      this.o.log('warn', `cannot send ${msg.t} to ${node}: ${(err as Error).message}`);
      throw err;
    });
  }

  requestShutdown(): void {
    this.o.onShutdownRequest();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.client?.close();
    await this.stream.close();
  }
}
