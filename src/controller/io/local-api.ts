import { mkdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';

/**
 * The controller's own local socket, beside vigild's (`<vigild socket>.controller`): the CIB
 * with operation history (which vigild does not hold), administrators' status edits, and the
 * transition engine's state. Newline-delimited JSON, `{id, op, ...}` → `{id, ok, result|error}`.
 */
export function controllerSocketPath(daemonSocket: string): string {
  return `${daemonSocket}.controller`;
}

export type ControllerRequest = { op: 'cib' } | { op: 'status-edit'; updates: unknown[] } | { op: 'transition' } | { op: 'fence-history' };

export type ControllerHandler = (req: ControllerRequest) => Promise<unknown>;

export async function startControllerApi(path: string, handle: ControllerHandler): Promise<Server> {
  await mkdir(dirname(path), { recursive: true });
  await unlink(path).catch(() => undefined);
  const server = createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 16 * 1024 * 1024) return void socket.destroy();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let id: unknown = null;
        const reply = (body: Record<string, unknown>): void => {
          if (!socket.destroyed) socket.write(JSON.stringify({ id, ...body }) + '\n');
        };
        let req: Record<string, unknown>;
        try {
          req = JSON.parse(line) as Record<string, unknown>;
          id = req.id ?? null;
        } catch {
          reply({ ok: false, error: 'malformed JSON request', code: 64 });
          continue;
        }
        const op = req.op;
        if (op !== 'cib' && op !== 'transition' && op !== 'fence-history' && !(op === 'status-edit' && Array.isArray(req.updates))) {
          reply({ ok: false, error: `unknown request ${JSON.stringify(op)}: expected cib, status-edit, transition, fence-history`, code: 64 });
          continue;
        }
        handle(req as ControllerRequest).then(
          (result) => reply({ ok: true, result }),
          (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.message : String(err), code: 1 }),
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** One request to a node's controller; rejects with a clear message when none listens. */
export function controllerRequest(path: string, req: ControllerRequest, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the controller at ${path} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(JSON.stringify({ id: 1, ...req }) + '\n'));
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        const res = JSON.parse(buf.slice(0, nl)) as { ok: boolean; result?: unknown; error?: string };
        if (res.ok) resolve(res.result);
        else reject(new Error(res.error ?? 'the controller refused the request'));
      } catch {
        reject(new Error('the controller sent a malformed answer'));
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? `no controller listens at ${path}: is vigil-controller running?` : err.message));
    });
  });
}
