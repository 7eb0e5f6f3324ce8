import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { applyAction, parseActionRequest } from './actions.js';
import { csrfMatches, SessionStore, type Session, type SessionLimits } from './auth/sessions.js';
import { LoginLimiter } from './auth/rate-limit.js';
import { readUsers, validUserName, verifyPassword, type UserRecord } from './auth/passwords.js';
import { BackendError, epochOf, StaleBaseError, type ClusterBackend } from './backend.js';
import { checkEdit, showForEditing, type AgentLookups } from './config-editor.js';
import { historyView } from './history.js';
import { badRequest, HttpError, objectBody, optionalString, requiredString } from './http-error.js';
import { clusterStatus } from '../status/index.js';
import { StatusHub } from './status-hub.js';
import { parseWhatIf, whatIf } from './whatif.js';

export interface WebConsoleOptions {
  backend: ClusterBackend;
  /** Default 7630, Hawk's port. 0 picks a free one (tests). */
  port?: number;
  /** Default 127.0.0.1: the console is reachable from elsewhere only when asked. */
  host?: string;
  /** The users file (salted scrypt hashes), re-read at each login so `vigil web passwd` takes effect at once. */
  usersFile: string;
  /** PEM certificate and key: serve HTTPS (and mark the cookie Secure). */
  tls?: { cert: string; key: string };
  /** How the configuration editor checks agents (the system's, by default). */
  agents: AgentLookups;
  /** Dashboard refresh period, default 2000 ms. */
  pollMs?: number;
  now?: () => number;
  sessionLimits?: SessionLimits;
  login?: { maxFailures: number; windowMs: number };
  log?: (message: string) => void;
}

export interface WebConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'vigil_session';
const MAX_BODY = 2 * 1024 * 1024;

/** The static assets: next to this module when bundled, else in the source tree beside dist/. */
function staticDir(): string {
  for (const rel of ['./static/', '../../src/web/static/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir + 'index.html')) return dir;
  }
  throw new Error('the web console assets (index.html, app.js, style.css) cannot be found');
}

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export async function startWebConsole(o: WebConsoleOptions): Promise<WebConsole> {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => undefined);
  const dir = staticDir();
  const assets = new Map(Object.keys(ASSETS).filter((f) => existsSync(dir + f)).map((f) => [f, readFileSync(dir + f)]));
  const sessions = new SessionStore(now, o.sessionLimits);
  const perUser = new LoginLimiter(now, o.login?.maxFailures ?? 5, o.login?.windowMs ?? 60_000);
  // Several people may share one address (a NAT, a jump host): it gets more tries than one name.
  const perAddress = new LoginLimiter(now, 4 * (o.login?.maxFailures ?? 5), o.login?.windowMs ?? 60_000);
  const hub = new StatusHub(o.backend, now, o.pollMs ?? 2000);
  const secure = o.tls !== undefined;
  /** Open event streams and the session token each was opened with. */
  const streams = new Map<ServerResponse, string>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  // A user removed, or given a new password or role, in the users file loses their sessions at
  // their next request: the file is looked at again whenever it changes on disk.
  let usersSeen = { mtimeMs: -1, users: new Map<string, string>() };
  const revokeChangedUsers = (): void => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(o.usersFile).mtimeMs;
    } catch {
      mtimeMs = 0;
    }
    if (mtimeMs === usersSeen.mtimeMs) return;
    let current: Map<string, string>;
    try {
      current = new Map(readUsers(o.usersFile).map((u) => [u.name, `${u.role}:${u.hash}`]));
    } catch (err) {
      log(`users file: ${(err as Error).message}`);
      return;
    }
    for (const [name, was] of usersSeen.users) if (current.get(name) !== was) sessions.deleteUser(name);
    usersSeen = { mtimeMs, users: current };
  };
  revokeChangedUsers();

  const sessionOf = (req: IncomingMessage): Session | undefined => {
    revokeChangedUsers();
    return sessions.get(cookie(req, COOKIE));
  };

  const requireSession = (req: IncomingMessage): Session => {
    const s = sessionOf(req);
    if (!s) throw new HttpError(401, 'not logged in');
    return s;
  };

  /** Every state-changing request: same origin, a JSON body, a session and its CSRF token. */
  const guardWrite = (req: IncomingMessage, opts: { admin: boolean }): Session => {
    const s = requireSession(req);
    if (!csrfMatches(s, header(req, 'x-csrf-token'))) throw new HttpError(403, 'missing or wrong CSRF token (reload the page)');
    if (opts.admin && s.role !== 'admin') throw new HttpError(403, `${s.user} is a viewer: only administrators may change the cluster`);
    return s;
  };

  const login = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = objectBody(await readJson(req), ['user', 'password']);
    const user = requiredString(body, 'user');
    const password = requiredString(body, 'password');
    const address = req.socket.remoteAddress ?? '?';
    // Names no user can have share one key, so that guessing them cannot fill the limiter's memory.
    const userKey = validUserName(user) ? user : '(invalid name)';
    const wait = Math.max(perAddress.retryAfterMs(address), perUser.retryAfterMs(userKey));
    if (wait > 0) {
      const s = Math.ceil(wait / 1000);
      throw new HttpError(429, `too many failed logins: try again in ${s} s`, { 'retry-after': String(s) });
    }
    let users: UserRecord[];
    try {
      users = readUsers(o.usersFile);
    } catch (err) {
      log(`users file: ${(err as Error).message}`);
      throw new HttpError(500, `the users file cannot be read: ${(err as Error).message}`);
    }
    const record = users.find((u) => u.name === user);
    if (!(await verifyPassword(password, record?.hash)) || record === undefined) {
      perAddress.fail(address);
      perUser.fail(userKey);
      log(`failed login for '${userKey}' from ${address}`);
      if (users.length === 0) throw new HttpError(401, `no users are set up: add one with 'vigil web passwd NAME' (users file ${o.usersFile})`);
      throw new HttpError(401, 'wrong user name or password');
    }
    revokeChangedUsers();
    const s = sessions.create(record.name, record.role);
    log(`${record.name} logged in from ${address}`);
    send(res, 200, { user: s.user, role: s.role, csrf: s.csrf }, { 'set-cookie': sessionCookie(s.token, secure) });
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'POST /api/login': login,
    'POST /api/logout': async (req, res) => {
      const s = guardWrite(req, { admin: false });
      sessions.delete(s.token);
      for (const [stream, token] of streams) if (token === s.token) stream.end();
      send(res, 200, { ok: true }, { 'set-cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}` });
    },
    'GET /api/session': async (req, res) => {
      const s = requireSession(req);
      send(res, 200, { user: s.user, role: s.role, csrf: s.csrf });
    },
    'GET /api/status': async (req, res) => {
      requireSession(req);
      send(res, 200, await hub.read());
    },
    'GET /api/events': async (req, res) => {
      const session = requireSession(req);
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      streams.set(res, session.token);
      // A stream outlives no session: it is closed at logout, and at the next push or keep-alive
      // after an expiry or a revoked user; the page's reconnect then meets the 401.
      const stop = hub.watch((payload) => {
        if (sessionOf(req) === undefined) return void res.end();
        res.write(`event: status\ndata: ${payload}\n\n`);
      });
      // A comment now and then keeps proxies from closing an idle stream.
      const keepAlive = setInterval(() => (sessionOf(req) === undefined ? res.end() : res.write(': keep-alive\n\n')), 15_000);
      res.on('close', () => {
        clearInterval(keepAlive);
        stop();
        streams.delete(res);
      });
    },
    'POST /api/actions': async (req, res) => {
      const s = guardWrite(req, { admin: true });
      const action = parseActionRequest(await readJson(req));
      const snap = await o.backend.snapshot();
      const outcome = applyAction(snap.cib, action, now());
      const config = (x: typeof snap.cib): string => JSON.stringify(x.children.find((c) => c.name === 'configuration') ?? null);
      const configChanged = config(outcome.cib) !== config(snap.cib);
      if (configChanged) await o.backend.commitConfiguration(snap.cib, outcome.cib);
      if (outcome.updates.length > 0) await o.backend.statusEdit(outcome.updates);
      log(`${s.user}: ${outcome.message}`);
      hub.poke();
      send(res, 200, { ok: true, changed: configChanged || outcome.updates.length > 0, message: outcome.message });
    },
    'GET /api/config': async (req, res) => {
      const s = requireSession(req);
      send(res, 200, showForEditing(await o.backend.configuration(), s.role !== 'admin'));
    },
    'POST /api/config/check': async (req, res) => {
      guardWrite(req, { admin: false });
      const edit = parseEdit(await readJson(req));
      const cib = await o.backend.configuration();
      const stale = epochOf(cib) !== edit.epoch;
      const check = checkEdit(cib, edit.text, edit.force, o.agents);
      if (!check.ok) return send(res, 200, { ok: false, stale, errors: check.errors, forcible: check.forcible });
      send(res, 200, { ok: true, stale, changed: check.changed, diff: check.diff, warnings: check.warnings, forced: check.forced });
    },
    'POST /api/config/commit': async (req, res) => {
      const s = guardWrite(req, { admin: true });
      const edit = parseEdit(await readJson(req));
      const cib = await o.backend.configuration();
      if (epochOf(cib) !== edit.epoch) throw new HttpError(409, `the configuration changed underneath (you edited ${edit.epoch}, it is now ${epochOf(cib)}): nothing was committed; reload it and edit again`);
      const check = checkEdit(cib, edit.text, edit.force, o.agents);
      if (!check.ok) throw new HttpError(422, `nothing committed: ${check.errors.map((e) => e.message).join('; ')}${check.forcible ? ' (commit with force to override agent checks)' : ''}`);
      if (check.changed) await o.backend.commitConfiguration(cib, check.next);
      log(`${s.user}: configuration ${check.changed ? 'committed' : 'unchanged'}`);
      hub.poke();
      send(res, 200, { ok: true, changed: check.changed, epoch: epochOf(await o.backend.configuration()) });
    },
    'POST /api/whatif': async (req, res) => {
      guardWrite(req, { admin: false });
      const request = parseWhatIf(await readJson(req));
      const snap = await o.backend.snapshot();
      send(res, 200, whatIf(snap.cib, request, now()));
    },
    'GET /api/history': async (req, res) => {
      requireSession(req);
      const [snap, fence, transitions] = await Promise.all([o.backend.snapshot(), o.backend.fenceHistory(), o.backend.transitions()]);
      send(res, 200, historyView(snap.cib, clusterStatus(snap.cib, { now: now() }), fence, transitions));
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://console');
    const method = req.method ?? 'GET';
    if (method === 'POST' && !sameOrigin(req)) throw new HttpError(403, 'cross-origin request refused');
    const route = routes[`${method} ${url.pathname}`];
    if (route) return route(req, res);
    if (url.pathname.startsWith('/api/')) {
      const other = Object.keys(routes).some((k) => k.endsWith(` ${url.pathname}`));
      throw new HttpError(other ? 405 : 404, other ? `${method} is not allowed on ${url.pathname}` : `no such API: ${url.pathname}`);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed here`);
    const name = url.pathname === '/' ? 'index.html' : url.pathname.replace(/^\/static\//, '');
    const body = assets.get(name);
    if (body === undefined) throw new HttpError(404, `not found: ${url.pathname}`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': ASSETS[name], 'content-length': String(body.length) });
    res.end(method === 'HEAD' ? undefined : body);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return send(res, err.status, { error: err.message }, err.headers);
      if (err instanceof StaleBaseError) return send(res, 409, { error: `${err.message}: nothing was committed` });
      if (err instanceof BackendError) return send(res, 503, { error: err.message });
      log(`internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      send(res, 500, { error: `internal error: ${(err as Error).message}` });
    });
  };

  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, listener) : createHttpServer(listener);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 7630, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${secure ? 'https' : 'http'}://${shownHost}:${port}/`,
    port,
    close: async () => {
      hub.close();
      for (const s of streams.keys()) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      o.backend.close();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sessionCookie(token: string, secure: boolean): string {
  return `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** A browser names the page's origin on POST; one that names another site is refused. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = header(req, 'origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === header(req, 'host');
  } catch {
    return false;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = header(req, 'content-type') ?? '';
  // Only JSON: a form post from another page cannot produce this content type without CORS.
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'the request body must be JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `the request body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseEdit(value: unknown): { text: string; epoch: string; force: boolean } {
  const body = objectBody(value, ['text', 'epoch', 'force']);
  const text = optionalString(body, 'text');
  if (text === undefined) throw badRequest("'text' is required: the configuration in the crm language");
  const epoch = requiredString(body, 'epoch');
  if (!/^\d+\.\d+$/.test(epoch)) throw badRequest(`'epoch' must be ADMIN_EPOCH.EPOCH as the editor received it, not '${epoch}'`);
  if (body.force !== undefined && typeof body.force !== 'boolean') throw badRequest("'force' must be true or false");
  return { text, epoch, force: body.force === true };
}
