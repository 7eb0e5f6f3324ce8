import { chmod, chown, mkdir, readFile, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { ApiRequestError, parseApiRequest, type ApiRequest, type ApiResponse } from './api-protocol.js';
import type { Logger } from './log.js';

const MAX_LINE = 64 * 1024 * 1024;

export type ApiHandler = (req: ApiRequest) => Promise<unknown>;

/** Group haclient's id, when the group exists: its members may use the API without root. */
async function haclientGid(): Promise<number | undefined> {
  try {
    const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith('haclient:'));
    const gid = line === undefined ? NaN : Number(line.split(':')[2]);
    return Number.isInteger(gid) ? gid : undefined;
  } catch {
    return undefined;
  }
}

/** A socket file left by a daemon that died is removed; one a live daemon answers on is not. */
async function clearStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another daemon is already listening on ${path}`);
  await unlink(path).catch(() => undefined);
}

export interface ApiServer {
  /** Stops listening and drops open connections (a client holding one must not delay shutdown). */
  close(): Promise<void>;
}

export async function startApiServer(path: string, handle: ApiHandler, log: Logger): Promise<ApiServer> {
  await mkdir(dirname(path), { recursive: true });
  await clearStaleSocket(path);
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serve(socket, handle, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o660);
  if (process.getuid?.() === 0) {
    const gid = await haclientGid();
    if (gid !== undefined) await chown(path, 0, gid);
  }
  server.on('error', (err) => log('error', `API socket error: ${err.message}`));
  return {
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of open) s.destroy();
      await closed;
      await unlink(path).catch(() => undefined);
    },
  };
}

function serve(socket: Socket, handle: ApiHandler, log: Logger): void {
  let buf = '';
  socket.setEncoding('utf8');
  const reply = (r: ApiResponse): void => {
    if (!socket.destroyed) socket.write(JSON.stringify(r) + '\n');
  };
  socket.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE) {
      reply({ id: 0, ok: false, error: `request longer than ${MAX_LINE} bytes`, code: 64 });
      socket.destroy();
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      let id = 0;
      let req: ApiRequest;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number') id = (value as { id: number }).id;
        req = parseApiRequest(value);
      } catch (err) {
        reply({ id, ok: false, error: err instanceof SyntaxError ? `request is not JSON: ${err.message}` : (err as Error).message, code: 64 });
        continue;
      }
      handle(req).then(
        (result) => reply({ id, ok: true, result }),
        (err: Error) => {
          if (!(err instanceof ApiRequestError)) log('warn', `API ${req.op} failed: ${err.message}`);
          reply({ id, ok: false, error: err.message, code: err instanceof ApiRequestError ? err.code : 1 });
        },
      );
    }
  });
  socket.on('error', () => socket.destroy());
}
