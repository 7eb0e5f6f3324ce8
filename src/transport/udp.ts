import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { decodeDatagram, encodeDatagram } from './wire.js';
import { ReplayGuard } from './replay.js';
import { RateLimitedLog, zeroCounters, type DropKind, type PacketCounters } from './counters.js';
import type { ClusterKeys } from './keys.js';

export const DEFAULT_PORT = 694;

export type LinkMode = 'unicast' | 'multicast' | 'broadcast';

/** One network the nodes share. A node counts as unreachable only when every link is silent. */
export type LinkSpec =
  | { mode: 'unicast'; bindAddress: string; port: number; peers: { node: string; address: string }[] }
  | { mode: 'multicast'; bindAddress: string; port: number; group: string; ttl: number }
  | { mode: 'broadcast'; bindAddress: string; port: number; broadcastAddress: string };

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface UdpTransportOptions {
  self: string;
  /** Grows at every start of this daemon, so peers can tell our new packets from replays of old ones. */
  incarnation: bigint;
  keys: ClusterKeys;
  /** Encrypt what we send, and refuse what arrives in clear. */
  encrypt: boolean;
  knownNodes: ReadonlySet<string>;
  links: LinkSpec[];
  log: LogFn;
  now: () => number;
  onMessage: (from: string, link: number, payload: Buffer) => void;
}

/**
 * Heartbeat datagrams over every link. Each copy on each link carries its own sequence number so
 * that the replay guard accepts both and the receiver learns that each link works.
 */
export class UdpTransport {
  readonly counters: PacketCounters = zeroCounters();
  private readonly sockets: Socket[] = [];
  private readonly replay = new ReplayGuard();
  private readonly dropLog: RateLimitedLog;
  private readonly errorLog: RateLimitedLog;
  private seq = 0n;
  private closed = false;

  constructor(private readonly opts: UdpTransportOptions) {
    this.errorLog = new RateLimitedLog(10_000, (_kind, message, suppressed) =>
      opts.log('warn', `send failed: ${message}`, { suppressedSinceLast: suppressed }),
    );
    this.dropLog = new RateLimitedLog(10_000, (kind, message, suppressed) =>
      opts.log('warn', `dropped packet: ${message}`, { kind, suppressedSinceLast: suppressed }),
    );
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.opts.links.length; i++) this.sockets.push(await this.open(i, this.opts.links[i]));
  }

  private async open(index: number, link: LinkSpec): Promise<Socket> {
    const family = link.bindAddress.includes(':') ? 'udp6' : 'udp4';
    const socket = createSocket({ type: family, reuseAddr: true, lookup: literalLookup });
    socket.on('message', (msg) => this.receive(index, msg));
    socket.on('error', (err) => {
      // Sending to a peer whose link is down fails (EHOSTUNREACH, ENETUNREACH, EPERM from a
      // firewall): the normal state of a dead link, which membership sees as silence. Counted,
      // and logged at most once per interval.
      this.counters.sendErrors++;
      this.errorLog.report(`link${index}`, `link ${index}: ${err.message}`, this.opts.now());
    });
    // Multicast and broadcast packets are addressed to the group / broadcast address, which a
    // socket bound to the node's own address would never see.
    const bindTo = link.mode === 'unicast' ? link.bindAddress : link.mode === 'multicast' ? link.group : family === 'udp4' ? '0.0.0.0' : '::';
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: bindTo, port: link.port }, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((err: Error) => {
      socket.close();
      throw new Error(`cannot bind link ${index} to ${bindTo}:${link.port}: ${err.message}`);
    });
    // Room for a burst (a flood of junk, or the backlog after a stall) without losing heartbeats.
    socket.setRecvBufferSize(1 << 20);
    if (link.mode === 'multicast') {
      socket.addMembership(link.group, link.bindAddress === '0.0.0.0' ? undefined : link.bindAddress);
      if (link.bindAddress !== '0.0.0.0') socket.setMulticastInterface(link.bindAddress);
      socket.setMulticastTTL(link.ttl);
      socket.setMulticastLoopback(false);
    } else if (link.mode === 'broadcast') {
      socket.setBroadcast(true);
    }
    return socket;
  }

  /** Sends one message to every peer on every link (the membership layer decides what and when). */
  broadcast(payload: Buffer): void {
    this.opts.links.forEach((_, i) => this.sendOnLink(i, payload));
  }

  /** Sends to one peer on every link (unicast links) or to the group (shared-medium links). */
  sendTo(node: string, payload: Buffer): void {
    this.opts.links.forEach((_, i) => this.sendOnLink(i, payload, node));
  }

  private sendOnLink(index: number, payload: Buffer, only?: string): void {
    if (this.closed) return;
    const link = this.opts.links[index];
    const socket = this.sockets[index];
    if (socket === undefined) return;
    const targets =
      link.mode === 'unicast'
        ? link.peers.filter((p) => only === undefined || p.node === only).map((p) => p.address)
        : [link.mode === 'multicast' ? link.group : link.broadcastAddress];
    for (const address of targets) {
      const packet = encodeDatagram(this.opts.keys, { sender: this.opts.self, incarnation: this.opts.incarnation, seq: ++this.seq, payload }, this.opts.encrypt);
      this.counters.sent++;
      // No completion callback: at 16+ datagrams a second per peer, one callback each is a
      // measurable share of the idle CPU. Failures arrive as the socket's 'error' event.
      socket.send(packet, link.port, address);
    }
  }

  /** Public so the fuzz tests can feed bytes straight in; the sockets call it for real traffic. */
  receive(link: number, buf: Buffer): void {
    this.counters.received++;
    const now = this.opts.now();
    const decoded = decodeDatagram(this.opts.keys, buf);
    if (!decoded.ok) {
      const kind: DropKind = decoded.reason === 'malformed' ? 'droppedMalformed' : decoded.reason === 'bad-mac' ? 'droppedBadMac' : 'droppedBadCipher';
      this.drop(kind, `${decoded.detail} on link ${link}`, now);
      return;
    }
    const { packet, encrypted } = decoded;
    if (packet.sender === this.opts.self) {
      // Our own multicast/broadcast echoing back: not an attack, just not for us.
      this.counters.received--;
      return;
    }
    if (!this.opts.knownNodes.has(packet.sender)) {
      this.drop('droppedUnknownSender', `sender '${packet.sender}' is not in the node list`, now);
      return;
    }
    if (this.opts.encrypt && !encrypted) {
      this.drop('droppedPlaintext', `clear-text packet from ${packet.sender} while encryption is required`, now);
      return;
    }
    const verdict = this.replay.accept(packet.sender, packet.incarnation, packet.seq);
    if (verdict !== 'fresh') {
      this.drop('droppedReplay', `${verdict} packet from ${packet.sender} (incarnation ${packet.incarnation}, seq ${packet.seq})`, now);
      return;
    }
    this.counters.delivered++;
    this.opts.onMessage(packet.sender, link, packet.payload);
  }

  /** The incarnation a peer currently runs, as its authenticated packets tell. */
  peerIncarnation(node: string): bigint | undefined {
    return this.replay.incarnationOf(node);
  }

  private drop(kind: DropKind, message: string, now: number): void {
    this.counters[kind]++;
    this.dropLog.report(kind, message, now);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.length = 0;
  }
}

/**
 * dgram resolves every destination before each send, even an address literal, and answers on the
 * next tick: one more pass through the event loop per datagram, a measurable share of an idle
 * daemon's CPU. Peer addresses are literals by the time they reach the transport (host names are
 * resolved once at start), so answer at once; anything else still goes to the resolver.
 */
function literalLookup(hostname: string, options: LookupOneOptions, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}
