import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { hmac, type ClusterKeys } from './keys.js';
import type { LogFn } from './udp.js';
import type { PacketCounters } from './counters.js';

/**
 * The reliable channel for messages too big or too important for a datagram (CIB sync): TCP on
 * the same port number as the heartbeats, protected with the same cluster key.
 *
 * Handshake (mutual challenge-response, so neither side proves anything with a replayable blob):
 *   client → server  "VGS1" | u8 len | client name | 32-byte nonceC
 *   server → client  "VGS1" | u8 len | server name | 32-byte nonceS | HMAC(mac, "server"|nonceC|nonceS|nameS|nameC)
 *   client → server  HMAC(mac, "client"|nonceC|nonceS|nameC|nameS)
 * Both then derive a session key HMAC(mac, "session"|nonceC|nonceS).
 *
 * Frames: u32 length | body | 32-byte HMAC(session, direction|u64 counter|body). The counter
 * makes replaying, dropping or reordering frames inside a connection detectable. With
 * encryption on, the body is AES-256-GCM under HMAC(cipher, "session"|nonces), nonce =
 * direction|counter, which is unique per key.
 */
const MAGIC = Buffer.from('VGS1', 'latin1');
const NONCE = 32;
const MAC = 32;
const TAG = 16;
export const MAX_FRAME = 64 * 1024 * 1024;
const HANDSHAKE_TIMEOUT_MS = 5_000;

export interface StreamOptions {
  self: string;
  keys: ClusterKeys;
  encrypt: boolean;
  knownNodes: ReadonlySet<string>;
  /** Addresses of each peer, tried in link order. */
  peerAddresses: (node: string) => string[];
  port: number;
  bindAddresses: string[];
  log: LogFn;
  counters: PacketCounters;
  onMessage: (from: string, body: Buffer) => void;
}

interface Session {
  peer: string;
  macKey: Buffer;
  cipherKey: Buffer;
  /** 'C' on the side that connected, 'S' on the side that accepted. */
  outDir: number;
  sendCounter: bigint;
  recvCounter: bigint;
}

/** Reads exact byte counts from a socket, whatever the TCP segmentation. */
class ByteReader {
  /** Received chunks not yet consumed; joined only when a read needs them, so a large frame
   *  arriving in many segments is copied once, not once per segment. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private error: Error | undefined;
  private received = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = true;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.pump();
    });
    const fail = (e: Error): void => {
      this.error = e;
      const w = this.waiter;
      this.waiter = undefined;
      w?.reject(e);
    };
    socket.on('close', () => fail(new Error('connection closed')));
    socket.on('error', (e) => fail(e));
  }

  /** The peer closed without sending a byte: a liveness probe (probe.ts), not a failed handshake. */
  get closedSilently(): boolean {
    return this.error !== undefined && !this.received;
  }

  read(n: number): Promise<Buffer> {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
      this.pump();
    });
  }

  private pump(): void {
    const w = this.waiter;
    if (w === undefined || this.buffered < w.n) return;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const out = Buffer.from(all.subarray(0, w.n));
    const rest = all.subarray(w.n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.waiter = undefined;
    w.resolve(out);
  }
}

function hello(name: string, nonce: Buffer): Buffer {
  const n = Buffer.from(name, 'utf8');
  return Buffer.concat([MAGIC, Buffer.from([n.length]), n, nonce]);
}

async function readHello(r: ByteReader): Promise<{ name: string; nonce: Buffer }> {
  const head = await r.read(5);
  if (!head.subarray(0, 4).equals(MAGIC)) throw new Error('not a vigil stream');
  const name = (await r.read(head[4])).toString('utf8');
  return { name, nonce: await r.read(NONCE) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class StreamTransport {
  private servers: Server[] = [];
  private readonly outbound = new Map<string, Promise<{ socket: Socket; session: Session }>>();
  /** Accepted connections, with the peer each authenticated as (null during the handshake). */
  private readonly inbound = new Map<Socket, string | null>();
  private closed = false;

  constructor(private readonly opts: StreamOptions) {}

  async start(): Promise<void> {
    for (const address of this.opts.bindAddresses) {
      const server = createServer((socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: address, port: this.opts.port }, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((err: Error) => {
        throw new Error(`cannot listen for streams on ${address}:${this.opts.port}: ${err.message}`);
      });
      server.on('error', (err) => this.opts.log('error', `stream listener error: ${err.message}`));
      this.servers.push(server);
    }
  }

  /** Delivers one message to a peer, connecting (trying each of its links) when needed. */
  async send(node: string, body: Buffer): Promise<void> {
    if (body.length > MAX_FRAME) throw new Error(`message of ${body.length} bytes exceeds ${MAX_FRAME}`);
    let conn = this.outbound.get(node);
    if (conn === undefined) {
      conn = this.connect(node);
      this.outbound.set(node, conn);
      conn.catch(() => this.outbound.delete(node));
    }
    const { socket, session } = await conn;
    await new Promise<void>((resolve, reject) => socket.write(this.seal(session, body), (err) => (err ? reject(err) : resolve())));
  }

  private async connect(node: string): Promise<{ socket: Socket; session: Session }> {
    const errors: string[] = [];
    for (const address of this.opts.peerAddresses(node)) {
      const socket = createConnection({ host: address, port: this.opts.port });
      socket.setNoDelay(true);
      const reader = new ByteReader(socket);
      try {
        await withTimeout(new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        }), HANDSHAKE_TIMEOUT_MS, `connect to ${node} at ${address}`);
        const session = await withTimeout(this.clientHandshake(socket, reader, node), HANDSHAKE_TIMEOUT_MS, `handshake with ${node}`);
        socket.on('close', () => this.outbound.delete(node));
        socket.on('error', () => this.outbound.delete(node));
        // Replies travel on the connection we opened too, so a peer behind a one-way
        // firewall still answers.
        void this.readFrames(socket, reader, session);
        return { socket, session };
      } catch (err) {
        socket.destroy();
        errors.push(`${address}: ${(err as Error).message}`);
      }
    }
    throw new Error(`cannot reach ${node} over any link (${errors.join('; ')})`);
  }

  private async clientHandshake(socket: Socket, reader: ByteReader, expected: string): Promise<Session> {
    const nonceC = randomBytes(NONCE);
    socket.write(hello(this.opts.self, nonceC));
    const { name, nonce: nonceS } = await readHello(reader);
    const macS = await reader.read(MAC);
    if (name !== expected) throw new Error(`peer says it is '${name}', expected '${expected}'`);
    const want = hmac(this.opts.keys.mac, 'server', nonceC, nonceS, name, this.opts.self);
    if (!timingSafeEqual(want, macS)) throw new Error(`peer ${name} failed authentication`);
    socket.write(hmac(this.opts.keys.mac, 'client', nonceC, nonceS, this.opts.self, name));
    return this.session(name, nonceC, nonceS, 0x43);
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.inbound.set(socket, null);
    socket.on('close', () => this.inbound.delete(socket));
    socket.setNoDelay(true);
    const reader = new ByteReader(socket);
    withTimeout(this.serverHandshake(socket, reader), HANDSHAKE_TIMEOUT_MS, 'stream handshake')
      .then((session) => {
        this.supersede(socket, session.peer);
        return this.readFrames(socket, reader, session);
      })
      .catch((err: Error) => {
        socket.destroy();
        if (reader.closedSilently) return;
        this.opts.counters.streamRejected++;
        this.opts.log('warn', `rejected stream from ${socket.remoteAddress ?? '?'}: ${err.message}`);
      });
  }

  /**
   * A peer sends on one connection at a time: once it has opened a new one, an older connection
   * from it is one it gave up, or one from a previous life. Fenced, that life's kernel still
   * retransmits what it had buffered when its link comes back, and its results, read as news,
   * would bring back what the fencing ended. Closed, nothing more is read from it.
   */
  private supersede(socket: Socket, peer: string): void {
    for (const [other, from] of this.inbound) if (other !== socket && from === peer) other.destroy();
    this.inbound.set(socket, peer);
  }

  private async serverHandshake(socket: Socket, reader: ByteReader): Promise<Session> {
    const { name, nonce: nonceC } = await readHello(reader);
    if (!this.opts.knownNodes.has(name) || name === this.opts.self) throw new Error(`unknown node '${name}'`);
    const nonceS = randomBytes(NONCE);
    socket.write(Buffer.concat([hello(this.opts.self, nonceS), hmac(this.opts.keys.mac, 'server', nonceC, nonceS, this.opts.self, name)]));
    const macC = await reader.read(MAC);
    if (!timingSafeEqual(hmac(this.opts.keys.mac, 'client', nonceC, nonceS, name, this.opts.self), macC)) {
      throw new Error(`node '${name}' failed authentication`);
    }
    return this.session(name, nonceC, nonceS, 0x53);
  }

  private session(peer: string, nonceC: Buffer, nonceS: Buffer, outDir: number): Session {
    return {
      peer,
      macKey: hmac(this.opts.keys.mac, 'session', nonceC, nonceS),
      cipherKey: hmac(this.opts.keys.cipher, 'session', nonceC, nonceS),
      outDir,
      sendCounter: 0n,
      recvCounter: 0n,
    };
  }

  private frameNonce(dir: number, counter: bigint): Buffer {
    const n = Buffer.alloc(12);
    n.writeUInt32BE(dir, 0);
    n.writeBigUInt64BE(counter, 4);
    return n;
  }

  private seal(s: Session, body: Buffer): Buffer {
    const counter = s.sendCounter++;
    let payload = body;
    if (this.opts.encrypt) {
      const c = createCipheriv('aes-256-gcm', s.cipherKey, this.frameNonce(s.outDir, counter));
      payload = Buffer.concat([c.update(body), c.final(), c.getAuthTag()]);
    }
    const len = Buffer.alloc(4);
    len.writeUInt32BE(payload.length);
    const meta = Buffer.alloc(9);
    meta[0] = s.outDir;
    meta.writeBigUInt64BE(counter, 1);
    return Buffer.concat([len, payload, hmac(s.macKey, meta, payload)]);
  }

  private async readFrames(socket: Socket, reader: ByteReader, s: Session): Promise<void> {
    const inDir = s.outDir === 0x43 ? 0x53 : 0x43;
    try {
      while (!this.closed) {
        const len = (await reader.read(4)).readUInt32BE();
        if (len > MAX_FRAME + TAG) throw new Error(`frame of ${len} bytes is too large`);
        const payload = await reader.read(len);
        const mac = await reader.read(MAC);
        const counter = s.recvCounter++;
        const meta = Buffer.alloc(9);
        meta[0] = inDir;
        meta.writeBigUInt64BE(counter, 1);
        if (!timingSafeEqual(hmac(s.macKey, meta, payload), mac)) throw new Error('frame failed authentication');
        let body = payload;
        if (this.opts.encrypt) {
          if (payload.length < TAG) throw new Error('frame shorter than its tag');
          const d = createDecipheriv('aes-256-gcm', s.cipherKey, this.frameNonce(inDir, counter));
          d.setAuthTag(payload.subarray(payload.length - TAG));
          body = Buffer.concat([d.update(payload.subarray(0, payload.length - TAG)), d.final()]);
        }
        this.opts.onMessage(s.peer, body);
      }
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== 'connection closed') {
        this.opts.counters.streamRejected++;
        this.opts.log('warn', `stream from ${s.peer} closed: ${msg}`);
      }
      socket.destroy();
    }
  }

  /** Drops the cached connection to a node (after it left), so the next send reconnects. */
  forget(node: string): void {
    const conn = this.outbound.get(node);
    this.outbound.delete(node);
    conn?.then(({ socket }) => socket.destroy()).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const node of [...this.outbound.keys()]) this.forget(node);
    for (const s of this.inbound.keys()) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers = [];
  }
}
