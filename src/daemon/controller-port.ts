import type { XmlElement } from '../cib/xml.js';
import type { MembershipView } from '../controller/controller.js';
import type { StatusUpdate } from '../controller/history.js';
import { IncarnationGate } from '../controller/io/incarnation-gate.js';
import { encodeControllerFrame, type ControllerFrame, type ControllerMessage } from '../controller/io/messages.js';
import type { ClusterPort } from '../controller/io/service.js';
import type { CibChange } from './cib-messages.js';
import { cibVersion, compareVersions, type CibVersion } from './cib-version.js';
import type { Logger } from './log.js';

export interface InProcessPortOptions {
  self: string;
  /** This daemon's incarnation: every controller message we send carries it. */
  incarnation: number;
  /** The incarnation membership currently knows for a node (null: never heard from). */
  peerIncarnation: (node: string) => number | null;
  /** The replicated CIB: status writes are changes like any other, committed by the DC. */
  cib: { change(change: CibChange): Promise<CibVersion> };
  /** Sends a controller message to the node's vigild over the authenticated stream. */
  send: (node: string, body: Buffer) => Promise<void>;
  log: Logger;
  onShutdownRequest: () => void;
}

/**
 * The controller's view of the node it runs in, inside vigild: CIB changes and membership views
 * come straight from the daemon, controller messages travel on the daemon's own stream (tagged by
 * their `t`, which no CIB message shares), and status writes go into the replicated CIB.
 */
export class InProcessPort implements ClusterPort {
  readonly self: string;
  private readonly cibListeners: ((cib: XmlElement) => void)[] = [];
  private readonly viewListeners: ((view: MembershipView) => void)[] = [];
  private readonly messageListeners: ((from: string, msg: ControllerMessage) => void)[] = [];
  private latest: XmlElement | null = null;
  private delivered: XmlElement | null = null;
  private deliveryQueued = false;
  /** Our status writes not yet answered, and the version the last one answered made. */
  private writing = 0;
  private written: CibVersion | null = null;
  private readonly gate: IncarnationGate;

  constructor(private readonly o: InProcessPortOptions) {
    this.self = o.self;
    this.gate = new IncarnationGate(o.peerIncarnation, (message) => o.log('warn', message, { event: 'stale-controller-message' }));
  }

  /**
   * The daemon's CIB changed. Several changes in one turn of the event loop (a commit and the
   * attribute service's write) reach the controller once, as the newest.
   */
  cibChanged(cib: XmlElement): void {
    this.latest = cib;
    this.queueDelivery();
  }

  /**
   * The controller applies its own status writes to its view at once. A CIB committed while they
   * are on their way, or older than the one they made, lacks some of them: the controller would
   * plan as if a start it recorded, or a fencing, had not happened (and fence again). Such a CIB
   * waits until the writes are in.
   */
  private queueDelivery(): void {
    if (this.deliveryQueued) return;
    this.deliveryQueued = true;
    setImmediate(() => {
      this.deliveryQueued = false;
      const cib = this.latest;
      if (cib === null || cib === this.delivered || this.writing > 0) return;
      if (this.written !== null && compareVersions(cibVersion(cib), this.written) < 0) return;
      this.delivered = cib;
      for (const l of this.cibListeners) l(cib);
    });
  }

  /** Membership installed a view. Every member runs its controller in its vigild: none is pending. */
  viewChanged(view: { members: readonly string[]; dc: string | null; quorate: boolean }): void {
    const v: MembershipView = { members: [...view.members], dc: view.dc, quorate: view.quorate, pending: [] };
    // Another DC's CIB may be older than our last write, which then never made it: take it anyway.
    if (view.dc !== this.self) this.written = null;
    for (const l of this.viewListeners) l(v);
    this.queueDelivery();
  }

  /**
   * A controller message from a peer's vigild (authenticated and parsed). One from a life of the
   * peer older than the one membership knows never reaches the controller.
   */
  received(from: string, frame: ControllerFrame): void {
    if (!this.gate.admits(from, frame, Date.now())) return;
    for (const l of this.messageListeners) l(from, frame.msg);
  }

  /** Controller messages dropped as coming from a peer's earlier life. */
  get staleMessages(): number {
    return this.gate.dropped;
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

  /**
   * Committed through the DC (this node, when its controller writes). On the DC the update is in
   * the CIB before replication starts, so a member that fails to acknowledge is no reason to
   * write it again (a fail count would count twice): that is logged, and the next commit or join
   * round brings the member up to date.
   */
  async writeStatus(updates: StatusUpdate[]): Promise<void> {
    this.writing += 1;
    try {
      this.written = await this.o.cib.change({ op: 'status', updates });
    } catch (err) {
      this.o.log('warn', `status update (${updates.length} record(s)) not confirmed by every member: ${(err as Error).message}`);
    } finally {
      this.writing -= 1;
      this.queueDelivery();
    }
  }

  send(node: string, msg: ControllerMessage): Promise<void> {
    if (node === this.self) {
      // do_shutdown of the DC itself: answered without the network.
      setImmediate(() => this.received(node, { msg, inc: this.o.incarnation }));
      return Promise.resolve();
    }
    return this.o.send(node, encodeControllerFrame(msg, this.o.incarnation)).catch((err: unknown) => {
      this.o.log('warn', `cannot send ${msg.t} to ${node}: ${(err as Error).message}`);
      throw err;
    });
  }

  requestShutdown(): void {
    this.o.onShutdownRequest();
  }
}
