import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { decodeDatagram, DatagramEncoder } from './wire.js';
import { ReplayGuard } from './replay.js';
import { RateLimitedLog, zeroCounters, type DropKind, type PacketCounters } from './counters.js';
import type { ClusterKeys } from './keys.js';

export const DEFAULT_PORT = 694;
/** Room for a burst (a flood of junk, or the backlog after a stall) without losing heartbeats. */
const RECV_BUFFER_BYTES = 1 << 20;

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
  /** Per link, the sockets connected to one peer each (unicast links only): see connectPeers. */
  private readonly peerSockets: Map<string, Socket>[] = [];
  private readonly replay = new ReplayGuard();
  private readonly encoder: DatagramEncoder;
  private readonly dropLog: RateLimitedLog;
  private readonly errorLog: RateLimitedLog;
  private seq = 0n;
  private closed = false;

  constructor(private readonly opts: UdpTransportOptions) {
    this.encoder = new DatagramEncoder(opts.keys, opts.self, opts.incarnation, opts.encrypt);
    this.errorLog = new RateLimitedLog(10_000, (_kind, message, suppressed) =>
      opts.log('warn', `send failed: ${message}`, { suppressedSinceLast: suppressed }),
    );
    this.dropLog = new RateLimitedLog(10_000, (kind, message, suppressed) =>
      opts.log('warn', `dropped packet: ${message}`, { kind, suppressedSinceLast: suppressed }),
    );
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.opts.links.length; i++) {
      const link = this.opts.links[i];
      this.sockets.push(await this.open(i, link));
      this.peerSockets.push(link.mode === 'unicast' ? await this.connectPeers(i, link) : new Map());
    }
  }

  private socket(index: number, link: LinkSpec, errorKey: string, errorPrefix: string): Socket {
    const socket = createSocket({ type: link.bindAddress.includes(':') ? 'udp6' : 'udp4', reuseAddr: true, lookup: literalLookup });
    socket.on('message', (msg) => this.receive(index, msg));
    socket.on('error', (err) => {
      // Sending to a peer whose link is down fails (EHOSTUNREACH, ENETUNREACH, EPERM from a
      // firewall), and a connected socket hears ECONNREFUSED while the peer's daemon is not
      // running: the normal states of a dead link or node, which membership sees as silence.
      // Counted, and logged at most once per interval.
      this.counters.sendErrors++;
      this.errorLog.report(errorKey, `${errorPrefix}: ${err.message}`, this.opts.now());
    });
    return socket;
  }

  private async open(index: number, link: LinkSpec): Promise<Socket> {
    const socket = this.socket(index, link, `link${index}`, `link ${index}`);
    // Multicast and broadcast packets are addressed to the group / broadcast address, which a
    // socket bound to the node's own address would never see.
    const bindTo = link.mode === 'unicast' ? link.bindAddress : link.mode === 'multicast' ? link.group : link.bindAddress.includes(':') ? '::' : '0.0.0.0';
    await bind(socket, bindTo, link.port).catch((err: Error) => {
      socket.close();
      throw new Error(`cannot bind link ${index} to ${bindTo}:${link.port}: ${err.message}`);
    });
    socket.setRecvBufferSize(RECV_BUFFER_BYTES);
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

  /**
   * A socket per peer, bound to the link's own address and port like the main one (so packets
   * still leave from the cluster port that firewalls allow) and connected to the peer: a send on
   * a connected socket skips dgram's per-packet address lookup and the kernel's route lookup.
   * The kernel hands a packet to the socket connected to its source, so the peer's packets
   * arrive here; packets from anywhere else still reach the main socket. A peer that cannot be
   * connected to now (no route yet) is sent to through the main socket instead.
   */
  private async connectPeers(index: number, link: Extract<LinkSpec, { mode: 'unicast' }>): Promise<Map<string, Socket>> {
    const connected = new Map<string, Socket>();
    for (const peer of link.peers) {
      const socket = this.socket(index, link, `link${index}:${peer.node}`, `link ${index} to ${peer.node}`);
      try {
        await bind(socket, link.bindAddress, link.port);
        socket.setRecvBufferSize(RECV_BUFFER_BYTES);
        // dgram passes a failed connect to its callback, not to 'error'.
        await new Promise<void>((resolve, reject) => socket.connect(link.port, peer.address, (err?: Error) => (err === undefined || err === null ? resolve() : reject(err))));
        connected.set(peer.node, socket);
      } catch (err) {
        socket.close();
        this.opts.log('debug', `link ${index}: sending to ${peer.node} through the shared socket: ${(err as Error).message}`);
      }
    }
    return connected;
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
    // No completion callbacks: at 16+ datagrams a second per peer, one callback each is a
    // measurable share of the idle CPU. Failures arrive as the socket's 'error' event.
    if (link.mode !== 'unicast') {
      socket.send(this.packet(payload), link.port, link.mode === 'multicast' ? link.group : link.broadcastAddress);
      return;
    }
    const connected = this.peerSockets[index];
    for (const peer of link.peers) {
      if (only !== undefined && peer.node !== only) continue;
      const packet = this.packet(payload);
      const peerSocket = connected.get(peer.node);
      if (peerSocket !== undefined) peerSocket.send(packet);
      else socket.send(packet, link.port, peer.address);
    }
  }

  private packet(payload: Buffer): Buffer {
    this.counters.sent++;
    return this.encoder.encode(++this.seq, payload);
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
    const all = [...this.sockets, ...this.peerSockets.flatMap((m) => [...m.values()])];
    await Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.length = 0;
    this.peerSockets.length = 0;
  }
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
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
