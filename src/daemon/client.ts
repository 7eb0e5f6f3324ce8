import { createConnection, type Socket } from 'node:net';
import { socketPath, type ApiRequest, type ApiResponse } from './api-protocol.js';

export { socketPath, DEFAULT_SOCKET } from './api-protocol.js';
export type { ApiRequest } from './api-protocol.js';

/** The daemon answered with an error; `code` is the exit status a CLI should use. */
export class DaemonError extends Error {
  override name = 'DaemonError';
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/**
 * A connection to the local vigild. For CLI commands that work on the live cluster:
 *
 *   const c = await connect();               // $VIGIL_SOCKET or /run/vigil/vigil.sock
 *   const xml = await c.request({ op: 'cib.query', scope: 'resources' });
 *   await c.request({ op: 'cib.replace', xml, scope: 'resources' });  // resolves once committed
 *   c.close();
 */
export interface DaemonClient {
  request(req: ApiRequest): Promise<unknown>;
  close(): void;
}

export async function connect(path: string = socketPath()): Promise<DaemonClient> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'is vigild running?' : err.message;
      reject(new DaemonError(`cannot connect to vigild at ${path}: ${why}`, 69));
    });
  });
  let nextId = 1;
  let buf = '';
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (err: Error): void => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let res: ApiResponse;
      try {
        res = JSON.parse(line) as ApiResponse;
      } catch {
        failAll(new DaemonError('vigild sent a malformed response', 70));
        socket.destroy();
        return;
      }
      const p = pending.get(res.id);
      if (p === undefined) continue;
      pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else p.reject(new DaemonError(res.error, res.code));
    }
  });
  socket.on('close', () => failAll(new DaemonError('vigild closed the connection', 69)));
  socket.on('error', (err) => failAll(new DaemonError(`connection to vigild failed: ${err.message}`, 69)));
  return {
    request(req) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.write(JSON.stringify({ id, ...req }) + '\n');
      });
    },
    close() {
      socket.end();
    },
  };
}

/** One request on a fresh connection. */
export async function request(req: ApiRequest, path?: string): Promise<unknown> {
  const c = await connect(path);
  try {
    return await c.request(req);
  } finally {
    c.close();
  }
}
