import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeXml, type XmlElement } from '../cib/xml.js';
import { withDcIdentity } from '../controller/dc-identity.js';
import { parseControllerFrame } from '../controller/io/messages.js';
import { ControllerService } from '../controller/io/service.js';
import { Executor } from '../executor/index.js';
import { readFenceHistory } from '../fencing/io/history-file.js';
import { linkFenceAgents } from '../fencing/io/run-agent.js';
import {
  Membership,
  tickIntervalMs,
  timingFigures,
  worstCaseDetectionMs,
  type MembershipEvent,
  type MembershipMessage,
  type Ready,
} from '../membership/index.js';
import { deriveKeys, probeListener, readKeyFile, StreamTransport, UdpTransport, type LinkSpec } from '../transport/index.js';
import { ApiRequestError, type ApiRequest } from './api-protocol.js';
import { startApiServer, type ApiServer } from './api-server.js';
import { CibChangeError } from './cib-apply.js';
import { parseCibMessage, type CibChange } from './cib-messages.js';
import { CibStore } from './cib-store.js';
import { InProcessPort } from './controller-port.js';
import { cibVersion, type CibVersion } from './cib-version.js';
import { nextIncarnation } from './incarnation.js';
import { createLogger, type Logger } from './log.js';
import { LoopMonitor } from './loop-monitor.js';
import { CibReplica, CommitError } from './replication.js';
import { DaemonAttributes } from './attributes.js';
import type { DaemonSettings } from './settings.js';
import type { DaemonStatus } from './status-types.js';
import { ViewIdStore } from './view-id-store.js';

/** Recorded by the DC as dc-version (crm_mon: "Current DC: x (version ...)"). */
const VIGIL_VERSION = ((): string => {
  try {
    return `vigil ${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
  } catch {
    return 'vigil';
  }
})();

const SECTIONS = ['configuration', 'nodes', 'resources', 'constraints', 'crm_config', 'rsc_defaults', 'op_defaults', 'alerts', 'fencing-topology', 'tags', 'acls', 'status'];

/**
 * One node's daemon: wires the transport, the membership state machine, the replicated CIB and
 * the local API together. The membership tick runs on its own timer and does nothing but
 * membership work and datagram sends, so CIB persistence and API traffic (all asynchronous)
 * never hold a heartbeat back; how late the tick fires is measured and fed to membership as
 * local health, so a starved node doubts itself before it accuses its peers.
 */
export class Daemon {
  private membership!: Membership;
  private udp!: UdpTransport;
  private stream!: StreamTransport;
  private replica!: CibReplica;
  private attributes!: DaemonAttributes;
  private port!: InProcessPort;
  private controller!: ControllerService;
  /** The DC told this node to go (do_shutdown): a drain under way ends, or one starts. */
  private shutdownRequested = false;
  private api: ApiServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the pending tick timer fires. */
  private timerDueMs = Infinity;
  private viewIds!: ViewIdStore;
  private loop!: LoopMonitor;
  private incarnation = 0;
  private stopping = false;
  /** stop() was called: draining, then leaving. */
  private leaving = false;
  readonly log: Logger;
  private readonly startedAt = Date.now();

  constructor(
    private readonly s: DaemonSettings,
    /** Called when the DC asks this node to shut down (its resources have left): the caller stops us. */
    private readonly onShutdownRequest: () => void = () => undefined,
  ) {
    this.log = createLogger({ node: s.self, level: s.logLevel, dir: s.logDir, format: s.logFormat });
  }

  async start(): Promise<void> {
    const s = this.s;
    const keys = deriveKeys(readKeyFile(s.keyFile));
    this.incarnation = await nextIncarnation(s.stateDir, Date.now());
    await resolveHostNames(s);
    const selfNode = s.nodes.find((n) => n.name === s.self);
    if (selfNode === undefined) throw new Error(`this node '${s.self}' is not in the node list`);
    const known = new Set(s.nodes.map((n) => n.name));
    const links: LinkSpec[] = s.links.map((l, i) => {
      const bindAddress = selfNode.addresses[i];
      if (bindAddress === undefined) throw new Error(`node ${s.self} has no address on link ${i}`);
      if (l.mode === 'multicast') return { mode: 'multicast', bindAddress, port: l.port, group: l.group as string, ttl: l.ttl ?? 1 };
      if (l.mode === 'broadcast') return { mode: 'broadcast', bindAddress, port: l.port, broadcastAddress: l.broadcastAddress as string };
      const peers = s.nodes.filter((n) => n.name !== s.self && (n.addresses[i] ?? '') !== '').map((n) => ({ node: n.name, address: n.addresses[i] }));
      return { mode: 'unicast', bindAddress, port: l.port, peers };
    });
    const now = (): number => Date.now();
    this.udp = new UdpTransport({
      self: s.self,
      incarnation: BigInt(this.incarnation),
      keys,
      encrypt: s.encrypt,
      knownNodes: known,
      links,
      log: this.log,
      now,
      onMessage: (from, link, payload) => this.onDatagram(from, link, payload),
    });
    this.stream = new StreamTransport({
      self: s.self,
      keys,
      encrypt: s.encrypt,
      knownNodes: known,
      peerAddresses: (node) => this.peerAddresses(node),
      port: this.streamPort(),
      bindAddresses: selfNode.addresses.includes('0.0.0.0') ? ['0.0.0.0'] : [...new Set(selfNode.addresses)],
      log: this.log,
      counters: this.udp.counters,
      onMessage: (from, body) => this.onStreamMessage(from, body),
    });
    const store = new CibStore(s.stateDir);
    const initial = await store.load((m) => this.log('warn', m));
    this.port = new InProcessPort({
      self: s.self,
      incarnation: this.incarnation,
      peerIncarnation: (node) => this.membership.nodes().find((n) => n.name === node)?.incarnation ?? null,
      cib: { change: (change) => this.replica.change(change) },
      send: (node, body) => this.stream.send(node, body),
      log: this.log,
      onShutdownRequest: () => {
        this.log('info', 'the DC asked this node to shut down', { event: 'shutdown-requested' });
        this.shutdownRequested = true;
        this.onShutdownRequest();
      },
    });
    this.replica = new CibReplica({
      self: s.self,
      nodes: s.nodes.map((n) => ({ name: n.name, id: n.id })),
      store,
      // The controller learns of a version once it is saved, and of none before the copy is live:
      // planning from the status kept on disk by an earlier life started services that ran elsewhere.
      onCib: (cib) => this.port.cibChanged(cib),
      initial,
      send: (node, msg) => this.stream.send(node, Buffer.from(JSON.stringify(msg))),
      log: this.log,
      identity: { clusterName: s.cluster, dcVersion: VIGIL_VERSION },
      timeoutMs: s.cibTimeoutMs,
    });
    this.attributes = new DaemonAttributes({ self: s.self, nodes: s.nodes, cib: this.replica, log: this.log });
    const executor = new Executor({
      nodeName: s.self,
      attributes: { kind: 'file', stateDir: join(s.stateDir, 'attributes') },
      // Agents' crm_master/crm_attribute reach this daemon's attribute service, whose values the
      // scheduler reads (promotion scores); the file store is only the fallback while it is down.
      daemonSocket: s.socketPath,
      // Per node, so agents' state files (Dummy's, IPaddr2's) of nodes sharing one host stay apart.
      rscTmp: join(s.stateDir, 'rsctmp'),
      dirs: { fenceDir: linkFenceAgents(join(s.stateDir, 'fence-agents')) },
      log: (level, message) => this.log(level, message, { part: 'executor' }),
    });
    this.controller = new ControllerService({
      port: this.port,
      executor,
      stateDir: s.stateDir,
      uuid: randomUUID(),
      linkAddresses: selfNode.addresses,
      log: (level, msg, fields) => this.log(level, msg, { part: 'controller', ...fields }),
    });
    this.controller.start();
    // Created after the CIB is read, so that the time spent doing so is not taken for a stall of
    // the loop, and before the sockets open, so that no packet arrives before it exists.
    this.viewIds = new ViewIdStore(s.stateDir);
    const lastViewId = this.viewIds.load();
    this.membership = new Membership(
      {
        lastViewId,
        self: s.self,
        nodes: s.nodes.map((n) => ({ name: n.name, id: n.id, votes: n.votes })),
        timing: s.timing,
        quorum: s.quorum,
        incarnation: this.incarnation,
      },
      now(),
    );
    this.loop = new LoopMonitor(now());
    await this.udp.start();
    await this.stream.start();
    this.api = await startApiServer(s.socketPath, (req) => this.handle(req), this.log);
    this.log('info', `vigild started`, {
      event: 'started',
      cluster: s.cluster,
      incarnation: this.incarnation,
      keepaliveMs: s.timing.keepaliveMs,
      deadMs: s.timing.deadMs,
      worstCaseDetectionMs: worstCaseDetectionMs(s.timing),
      cib: cibVersion(initial),
      lastViewId,
    });
    this.scheduleTick(now());
  }

  /**
   * Sleeps until membership next has something to do (at the latest a heartbeat, every keepalive)
   * rather than polling: a node that wakes only when work is due spends its idle time asleep.
   * How late the timer fires is measured and kept for status.
   */
  private scheduleTick(due: number): void {
    clearTimeout(this.timer);
    this.timerDueMs = due;
    this.timer = setTimeout(() => {
      this.timerDueMs = Infinity;
      const now = Date.now();
      const lag = Math.max(0, now - due);
      this.loop.record(lag, now);
      if (lag > tickIntervalMs(this.s.timing)) {
        // The loop was stalled (CPU starvation, SIGSTOP, a long synchronous job). Membership
        // sees the stall itself, from the gap between the tick times we pass it, and stops
        // holding that time against its peers; reporting the same lag through
        // reportLocalDelay() as well would count the stall twice. What we add is the order:
        // the packets that queued up meanwhile are read first (setImmediate runs after the
        // poll phase), so a peer that did talk is not taken for silent.
        setImmediate(() => this.tick());
      } else {
        this.tick();
      }
    }, Math.max(0, due - Date.now()));
  }

  private tick(): void {
    if (this.stopping) return;
    try {
      this.apply(this.membership.tick(Date.now()));
    } finally {
      this.rescheduleIfSooner();
    }
  }

  /** A received message can bring work forward (a proposal to time out, a new peer to watch). */
  private rescheduleIfSooner(): void {
    if (this.stopping) return;
    const next = this.membership.nextDeadlineMs();
    if (next < this.timerDueMs) this.scheduleTick(next);
  }

  private onDatagram(from: string, link: number, payload: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(payload.toString('utf8'));
    } catch {
      this.udp.counters.droppedMalformed++;
      return;
    }
    // Membership validates the shape itself and counts what it refuses.
    let ready: Ready;
    try {
      ready = this.membership.receive(from, msg as MembershipMessage, Date.now(), link);
    } catch (err) {
      // An authenticated peer's packet that trips a bug must cost that packet, not the node.
      this.udp.counters.droppedMalformed++;
      this.log('error', `membership refused a packet from ${from}: ${(err as Error).message}`);
      return;
    }
    this.apply(ready);
    this.rescheduleIfSooner();
  }

  private onStreamMessage(from: string, body: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const ctl = parseControllerFrame(parsed);
    if (ctl !== null) {
      this.port.received(from, ctl);
      return;
    }
    const msg = parseCibMessage(parsed);
    if (msg === null) {
      this.udp.counters.droppedMalformed++;
      this.log('warn', `malformed CIB message from ${from}`);
      return;
    }
    this.replica.onMessage(from, msg);
  }

  private apply(ready: Ready): void {
    if (ready.persistViewId !== undefined) {
      try {
        this.viewIds.save(ready.persistViewId);
      } catch (err) {
        // Sending a view id that a restart could reuse is worse than a missed round: the
        // proposal times out and the next one asks to persist a higher id again.
        this.log('error', `cannot record view id ${ready.persistViewId} in ${this.viewIds.path}: ${(err as Error).message}; holding back this round's messages`);
        for (const event of ready.events) this.onEvent(event);
        return;
      }
    }
    for (const { to, msg } of ready.send) {
      const payload = Buffer.from(JSON.stringify(msg));
      if (to === 'all') this.udp.broadcast(payload);
      else this.udp.sendTo(to, payload);
    }
    for (const peer of ready.probe ?? []) this.probe(peer);
    for (const event of ready.events) this.onEvent(event);
  }

  /**
   * Asks the peer's host whether its daemon still holds the stream port, on every link; an answer
   * later than a keepalive is not waited for, the next probe being on its way by then.
   */
  private probe(peer: string): void {
    const sentAtMs = Date.now();
    probeListener(this.peerAddresses(peer), this.streamPort(), this.s.timing.keepaliveMs, () => {
      if (this.stopping) return;
      this.apply(this.membership.probeAnswered(peer, sentAtMs, Date.now()));
      this.rescheduleIfSooner();
    });
  }

  private peerAddresses(node: string): string[] {
    return (this.s.nodes.find((n) => n.name === node)?.addresses ?? []).filter((a) => a !== '' && a !== '0.0.0.0');
  }

  private streamPort(): number {
    return this.s.links[0]?.port ?? 694;
  }

  private onEvent(e: MembershipEvent): void {
    switch (e.type) {
      case 'view-changed': {
        const v = e.view;
        this.log('info', `view ${v.id}: members ${v.members.join(', ')}; DC ${v.dc ?? 'none'}; ${v.quorate ? 'quorate' : 'NOT quorate'}`, {
          event: 'view-changed',
          viewId: v.id,
          members: v.members,
          dc: v.dc,
          quorate: v.quorate,
        });
        for (const node of e.previous.members) if (!v.members.includes(node)) this.stream.forget(node);
        this.replica.onView({ id: v.id, members: v.members, dc: v.dc, quorate: v.quorate });
        this.port.viewChanged(v);
        for (const node of e.previous.members) if (!v.members.includes(node)) this.attributes.nodeLeft(node, v.dc === this.s.self);
        return;
      }
      case 'node-lost':
        this.log('warn', `node ${e.node} lost`, { event: 'node-lost', peer: e.node });
        return;
      case 'node-left':
        this.log('info', `node ${e.node} left (clean shutdown)`, { event: 'node-left', peer: e.node });
        return;
      case 'node-joined':
        this.log('info', `node ${e.node} joined`, { event: 'node-joined', peer: e.node });
        return;
      case 'late-heartbeat':
        this.log('warn', `late heartbeat from ${e.node}: silent for ${e.silentMs} ms`, { event: 'late-heartbeat', peer: e.node, silentMs: e.silentMs });
        return;
      case 'peer-stalled':
        this.log('warn', `node ${e.node} silent for ${e.silentMs} ms but its host answers for its daemon: stalled, not gone; lost if still silent after ${Math.round(e.holdMs)} ms`, {
          event: 'peer-stalled',
          peer: e.node,
          silentMs: e.silentMs,
          holdMs: Math.round(e.holdMs),
        });
        return;
      case 'local-stall':
        this.log('warn', `local event loop stalled for ${e.gapMs} ms; health score ${e.healthScore}`, { event: 'local-stall', gapMs: e.gapMs, healthScore: e.healthScore });
        return;
      default: {
        // `node` in a log record is the node that logs; the peer an event is about is `peer`.
        const { type, ...rest } = e;
        const { node, ...others } = rest as Record<string, unknown>;
        this.log('info', `membership: ${type}${node !== undefined ? ` ${String(node)}` : ''}`, { event: type, ...(node !== undefined ? { peer: node } : {}), ...others });
      }
    }
  }

  /** What `vigil status` shows, in one object. */
  status(): DaemonStatus {
    const view = this.membership.view();
    return {
      cluster: this.s.cluster,
      node: this.s.self,
      incarnation: this.incarnation,
      uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
      view,
      peers: this.membership.nodes(),
      health: { score: this.membership.healthScore(), ...this.loop.snapshot() },
      timing: timingFigures(this.s.timing),
      links: this.s.links.map((l, i) => ({ index: i, mode: l.mode, port: l.port })),
      counters: { ...this.udp.counters, membership: this.membership.stats(), controller: { staleIncarnation: this.port.staleMessages } },
      cibVersion: this.replica.version(),
      cib: serializeXml(this.cibForReaders()),
    };
  }

  private async handle(req: ApiRequest): Promise<unknown> {
    switch (req.op) {
      case 'status':
        return this.status();
      case 'membership':
        return { view: this.membership.view(), peers: this.membership.nodes(), health: this.membership.healthScore() };
      case 'counters':
        return { ...this.udp.counters, membership: this.membership.stats(), controller: { staleIncarnation: this.port.staleMessages } };
      case 'cib.query': {
        const cib = this.cibForReaders();
        return serializeXml(req.scope === undefined ? cib : findSection(cib, req.scope));
      }
      case 'cib.replace':
        return this.commitChange({ op: 'replace', xml: req.xml, scope: req.scope, ...(req.ifEpoch !== undefined ? { ifEpoch: req.ifEpoch } : {}) });
      case 'cib.patch':
        return this.commitChange({ op: 'patch', patch: req.patch });
      case 'status.edit':
        return this.commitChange({ op: 'status', updates: req.updates });
      case 'transition':
        return this.controller.status();
      case 'fence.history':
        return readFenceHistory(this.s.stateDir);
      case 'attr.update':
      case 'attr.query':
      case 'attr.list':
        return this.attributes.handle(req);
    }
  }

  /**
   * The CIB as clients read it. The DC records its identity (dc-version, cluster-infrastructure)
   * at every membership change; a replaced crm_config drops them until the next one, and status
   * must not show "unknown" meanwhile.
   */
  private cibForReaders(): XmlElement {
    return withDcIdentity(this.replica.current(), VIGIL_VERSION);
  }

  /** Exit codes as sysexits: 65 the change itself is wrong, 75 the cluster could not commit it now. */
  private async commitChange(change: CibChange): Promise<{ committed: true; version: CibVersion }> {
    try {
      return { committed: true, version: await this.replica.change(change) };
    } catch (err) {
      if (err instanceof CibChangeError) throw new ApiRequestError(err.message, 65);
      if (err instanceof CommitError) throw new ApiRequestError(err.message, 75);
      throw err;
    }
  }

  /**
   * Clean shutdown: this node's resources leave first (the node asks the DC with the `shutdown`
   * attribute and waits until nothing runs here, the DC says do_shutdown, `leaveNow()` is called
   * or $VIGIL_SHUTDOWN_TIMEOUT seconds pass); then we record that we leave on purpose (so we
   * show OFFLINE, not UNCLEAN) and close.
   */
  async stop(): Promise<void> {
    if (this.stopping || this.leaving) return;
    this.leaving = true;
    this.log('info', 'shutting down', { event: 'stopping' });
    await this.drain();
    try {
      await Promise.race([
        this.replica.change({ op: 'node-leaving', node: this.s.self }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2_000)),
      ]);
    } catch (err) {
      this.log('warn', `could not record the clean shutdown in the CIB: ${(err as Error).message}`);
    }
    await this.announceLeave();
    this.stopping = true;
    clearTimeout(this.timer);
    this.attributes?.stop();
    await this.controller.stop();
    await this.api?.close();
    await this.stream.close();
    await this.udp.close();
    this.log('info', 'stopped', { event: 'stopped' });
  }

  /**
   * Tells the peers we go (after the drain and the CIB record, so they judge us by both), so they
   * drop us now rather than after deadtime; we stay reachable until each has a view without us,
   * answering one that missed the announcement. At most deadtime: by then they notice anyway.
   */
  private async announceLeave(): Promise<void> {
    const started = Date.now();
    this.apply(this.membership.leave(started));
    this.rescheduleIfSooner();
    while (!this.membership.hasLeft() && Date.now() - started < this.s.timing.deadMs) await new Promise((r) => setTimeout(r, 5));
    const ms = Date.now() - started;
    this.log('info', `left the cluster${this.membership.hasLeft() ? '' : ' (not every peer confirmed)'} in ${ms} ms`, { event: 'left', ms });
  }

  /** Ends a drain under way: the node leaves with whatever still runs here. */
  leaveNow(): void {
    this.shutdownRequested = true;
  }

  private async drain(): Promise<void> {
    if (this.shutdownRequested || activeResources(this.replica.current(), this.s.self) === 0) return;
    const timeoutS = Number(process.env.VIGIL_SHUTDOWN_TIMEOUT ?? 30);
    const limitS = Number.isFinite(timeoutS) && timeoutS >= 0 ? timeoutS : 30;
    try {
      await this.replica.change({ op: 'status', updates: [{ kind: 'node-attribute', node: this.s.self, name: 'shutdown', value: String(Math.floor(Date.now() / 1000)) }] });
    } catch (err) {
      this.log('warn', `cannot ask the DC to move resources away: ${(err as Error).message}`);
      return;
    }
    this.log('info', 'waiting for the resources to leave this node', { event: 'draining' });
    const deadline = Date.now() + limitS * 1000;
    while (!this.shutdownRequested && Date.now() < deadline) {
      if (activeResources(this.replica.current(), this.s.self) === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const busy = activeResources(this.replica.current(), this.s.self);
    if (busy > 0) this.log('warn', `${busy} resource(s) still active here${this.shutdownRequested ? '' : ` after ${limitS} s`}: leaving anyway`);
  }
}

/** Resources whose last recorded operation leaves them active on the node (fence devices aside). */
function activeResources(cib: XmlElement, node: string): number {
  const state = cib.children.find((c) => c.name === 'status')?.children.find((n) => n.name === 'node_state' && n.attrs.uname === node);
  let n = 0;
  for (const lrm of state?.children ?? []) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const r of rscs.children) {
    if (r.attrs.class === 'stonith') continue;
    const last = r.children.filter((o) => o.attrs.operation !== 'cancel').sort((a, b) => Number(a.attrs['call-id']) - Number(b.attrs['call-id'])).at(-1);
    if (last && last.attrs.operation !== 'stop' && ['0', '8'].includes(last.attrs['rc-code'] ?? '')) n += 1;
  }
  return n;
}

/**
 * Node addresses may be host names: resolved once at start, so that no heartbeat ever waits
 * on a DNS lookup (dgram would resolve on every send).
 */
async function resolveHostNames(s: DaemonSettings): Promise<void> {
  for (const node of s.nodes) {
    node.addresses = await Promise.all(
      node.addresses.map(async (a) => {
        if (a === '' || isIP(a) !== 0) return a;
        try {
          return (await lookup(a)).address;
        } catch (err) {
          throw new Error(`cannot resolve ${node.name}'s address '${a}': ${(err as Error).message}`);
        }
      }),
    );
  }
}

function findSection(root: XmlElement, scope: string): XmlElement {
  if (!SECTIONS.includes(scope)) throw new ApiRequestError(`unknown scope '${scope}': expected one of ${SECTIONS.join(', ')}`);
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.shift() as XmlElement;
    if (el.name === scope) return el;
    if (el.name === 'cib' || el.name === 'configuration') stack.push(...el.children);
  }
  throw new ApiRequestError(`the CIB has no ${scope} section`, 105);
}
