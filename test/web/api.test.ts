import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, writeUser } from '../../src/web/auth/passwords.js';
import { fileBackend } from '../../src/web/backend.js';
import { startWebConsole, type WebConsole } from '../../src/web/server.js';
import { fixtureCib } from './fixture.js';

/**
 * The console's HTTP API on a CIB file: login, sessions, CSRF, roles, and that bad input gets a
 * 400 naming the problem with the CIB left byte for byte as it was.
 */

const dummyAgent = { lookupAgent: (s: { type: string }) => (s.type === 'Dummy' ? { parameters: [{ name: 'state', required: false }, { name: 'fake', required: false }, { name: 'passwd', required: false }] } : undefined), pickProvider: () => 'heartbeat' };

let dir: string;
let cibFile: string;
let usersFile: string;
let web: WebConsole;
let clock = 1_800_000_000_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-web-api-'));
  cibFile = join(dir, 'cib.xml');
  usersFile = join(dir, 'users');
  writeFileSync(cibFile, fixtureCib());
  writeUser(usersFile, { name: 'alice', role: 'admin', hash: await hashPassword('correct horse') });
  writeUser(usersFile, { name: 'victor', role: 'viewer', hash: await hashPassword('viewer pass') });
  web = await startWebConsole({ backend: fileBackend(cibFile), port: 0, usersFile, agents: dummyAgent, now: () => clock, login: { maxFailures: 3, windowMs: 60_000 } });
});

afterAll(async () => {
  await web?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Session {
  cookie: string;
  csrf: string;
}

async function call(method: string, path: string, opts: { session?: Session; body?: unknown; csrf?: string | null; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.session) headers.cookie = opts.session.cookie;
  const csrf = opts.csrf === undefined ? opts.session?.csrf : opts.csrf;
  if (csrf !== null && csrf !== undefined) headers['x-csrf-token'] = csrf;
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(new URL(path, web.url), { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body), redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

async function login(user = 'alice', password = 'correct horse'): Promise<Session> {
  const r = await call('POST', '/api/login', { body: { user, password } });
  expect(r.status).toBe(200);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  return { cookie, csrf: r.body.csrf as string };
}

const cib = (): string => readFileSync(cibFile, 'utf8');

describe('web console API', () => {
  it('serves the page without login, and no data without a session', async () => {
    const page = await fetch(web.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/static/app.js">');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    for (const path of ['/api/status', '/api/config', '/api/history', '/api/session']) {
      const r = await call('GET', path);
      expect(r.status, path).toBe(401);
      expect(r.body.error).toBe('not logged in');
    }
  });

  it('logs in with an HttpOnly SameSite=Strict cookie and refuses wrong passwords', async () => {
    const ok = await call('POST', '/api/login', { body: { user: 'alice', password: 'correct horse' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^vigil_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(ok.body).toMatchObject({ user: 'alice', role: 'admin' });
    const bad = await call('POST', '/api/login', { body: { user: 'alice', password: 'wrong' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('wrong user name or password');
    expect(bad.headers.get('set-cookie')).toBeNull();
    const nobody = await call('POST', '/api/login', { body: { user: 'mallory', password: 'x' } });
    expect(nobody.body.error).toBe('wrong user name or password');
  });

  it('rate-limits failed logins per user name, and tells when to retry', async () => {
    for (let i = 0; i < 3; i++) expect((await call('POST', '/api/login', { body: { user: 'victor', password: `guess ${i}` } })).status).toBe(401);
    const limited = await call('POST', '/api/login', { body: { user: 'victor', password: 'viewer pass' } });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatch(/too many failed logins: try again in \d+ s/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock += 61_000;
    expect((await call('POST', '/api/login', { body: { user: 'victor', password: 'viewer pass' } })).status).toBe(200);
  });

  it('shows the status model: nodes, DC, resources and failures', async () => {
    const s = await login();
    const r = await call('GET', '/api/status', { session: s });
    expect(r.status).toBe(200);
    const status = r.body.status as { nodes: { name: string; online: boolean }[]; resources: { id: string; runningOn: string[] }[]; failures: { resource: string }[]; summary: { dcName: string } };
    expect(status.nodes.map((n) => [n.name, n.online])).toEqual([['node1', true], ['node2', true], ['node3', true]]);
    expect(status.summary.dcName).toBe('node1');
    expect(status.resources.find((x) => x.id === 'vip')?.runningOn).toEqual(['node1']);
    expect(status.failures.map((f) => f.resource)).toEqual(['web-server']);
    expect(r.body.epoch).toBe('0.7');
  });

  it('enforces the CSRF token on every state-changing request', async () => {
    const s = await login();
    const before = cib();
    for (const [path, body] of [
      ['/api/actions', { action: 'stop', resource: 'vip' }],
      ['/api/config/commit', { text: 'primitive x ocf:heartbeat:Dummy', epoch: '0.7' }],
      ['/api/logout', {}],
    ] as const) {
      const none = await call('POST', path, { session: s, body, csrf: null });
      expect(none.status, path).toBe(403);
      expect(none.body.error).toMatch(/CSRF/);
      const wrong = await call('POST', path, { session: s, body, csrf: 'x'.repeat(43) });
      expect(wrong.status, path).toBe(403);
    }
    const foreign = await call('POST', '/api/actions', { session: s, body: { action: 'stop', resource: 'vip' }, headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const form = await call('POST', '/api/actions', { session: s, body: 'action=stop&resource=vip', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(cib()).toBe(before);
  });

  it('answers bad input with 400 and a message naming the problem, changing nothing', async () => {
    const s = await login();
    const before = cib();
    const cases: [unknown, number, RegExp][] = [
      [{ action: 'explode', resource: 'vip' }, 400, /unknown action 'explode'/],
      [{ action: 'stop' }, 400, /'resource' is required/],
      [{ action: 'stop', resource: 42 }, 400, /'resource' must be a string/],
      [{ action: 'standby', resource: 'vip' }, 400, /acts on a node/],
      [{ action: 'stop', resource: 'vip', colour: 'red' }, 400, /unknown field 'colour'/],
      [{ action: 'start', resource: 'vip', lifetime: 'PT1H' }, 400, /'lifetime' applies to move and ban only/],
      [{ action: 'move', resource: 'vip', node: 'node2', lifetime: 'soon' }, 400, /lifetime 'soon' is not a duration/],
      [{ action: 'stop', resource: 'nosuch' }, 404, /resource 'nosuch' not found/],
      [{ action: 'standby', node: 'node9' }, 404, /node 'node9' not found/],
      [[1, 2], 400, /must be a JSON object/],
    ];
    for (const [body, status, message] of cases) {
      const r = await call('POST', '/api/actions', { session: s, body });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error, JSON.stringify(body)).toMatch(message);
    }
    const notJson = await call('POST', '/api/actions', { session: s, body: '{"action":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/not valid JSON/);
    const whatif = await call('POST', '/api/whatif', { session: s, body: { fail: ['node7'] } });
    expect(whatif.status).toBe(400);
    expect(whatif.body.error).toMatch(/unknown node node7/);
    const empty = await call('POST', '/api/whatif', { session: s, body: {} });
    expect(empty.body.error).toMatch(/nothing to simulate/);
    const badEpoch = await call('POST', '/api/config/check', { session: s, body: { text: '', epoch: 'latest' } });
    expect(badEpoch.status).toBe(400);
    expect(badEpoch.body.error).toMatch(/'epoch' must be ADMIN_EPOCH.EPOCH/);
    expect((await call('GET', '/api/nothing', { session: s })).status).toBe(404);
    expect((await call('DELETE', '/api/actions', { session: s })).status).toBe(405);
    expect(cib()).toBe(before);
  });

  it('stops a resource and puts a node in standby through the same edits as the CLI', async () => {
    const s = await login();
    const stop = await call('POST', '/api/actions', { session: s, body: { action: 'stop', resource: 'vip' } });
    expect(stop.status).toBe(200);
    expect(stop.body).toMatchObject({ ok: true, changed: true, message: 'vip: target-role=Stopped' });
    expect(cib()).toMatch(/<nvpair id="vip-meta_attributes-target-role" name="target-role" value="Stopped"\/>/);
    const standby = await call('POST', '/api/actions', { session: s, body: { action: 'standby', node: 'node3' } });
    expect(standby.body.message).toBe('node3: standby=on');
    expect(cib()).toMatch(/<node id="3" uname="node3">\s*<instance_attributes id="nodes-3">\s*<nvpair id="nodes-3-standby" name="standby" value="on"\/>/);
    const move = await call('POST', '/api/actions', { session: s, body: { action: 'move', resource: 'web', node: 'node1' } });
    expect(move.body.message).toMatch(/web moved to node1 \(constraint cli-prefer-web\)/);
    const clear = await call('POST', '/api/actions', { session: s, body: { action: 'clear', resource: 'web' } });
    expect(clear.body.message).toBe('removed cli-prefer-web');
    const cleanup = await call('POST', '/api/actions', { session: s, body: { action: 'cleanup', resource: 'web-server' } });
    expect(cleanup.body.message).toMatch(/cleaned up web-server on node2/);
    const status = await call('GET', '/api/status', { session: s });
    expect((status.body.status as { failures: unknown[] }).failures).toEqual([]);
    expect((await call('POST', '/api/actions', { session: s, body: { action: 'start', resource: 'vip' } })).status).toBe(200);
    expect((await call('POST', '/api/actions', { session: s, body: { action: 'online', node: 'node3' } })).status).toBe(200);
  });

  it('lets a viewer look and simulate but not change anything', async () => {
    const v = await login('victor', 'viewer pass');
    const before = cib();
    expect((await call('GET', '/api/status', { session: v })).status).toBe(200);
    const act = await call('POST', '/api/actions', { session: v, body: { action: 'stop', resource: 'vip' } });
    expect(act.status).toBe(403);
    expect(act.body.error).toMatch(/victor is a viewer/);
    expect((await call('POST', '/api/whatif', { session: v, body: { fail: ['node1'] } })).status).toBe(200);
    // Secrets stay hidden from viewers, as crm shows them; an administrator gets them to edit.
    expect((await call('GET', '/api/config', { session: v })).body.text).toMatch(/params passwd="\*{6}"|params passwd=\*{6}/);
    expect((await call('GET', '/api/config', { session: await login() })).body.text).toContain('hunter22');
    expect(cib()).toBe(before);
  });

  it('edits the configuration: show, verify with a diff, commit, and refuse a stale base', async () => {
    const s = await login();
    const shown = await call('GET', '/api/config', { session: s });
    const text = shown.body.text as string;
    const epoch = shown.body.epoch as string;
    expect(text).toMatch(/^primitive vip Dummy \\$/m);
    expect(text).toMatch(/^primitive vault Dummy \\\n\tparams passwd=hunter22 \\$/m);
    const edited = text.replace(/^group web /m, 'primitive extra Dummy\ngroup web ');

    const broken = await call('POST', '/api/config/check', { session: s, body: { text: `${text}\nprimitive ???`, epoch } });
    expect(broken.body.ok).toBe(false);
    expect(JSON.stringify(broken.body.errors)).toMatch(/expected/);

    const check = await call('POST', '/api/config/check', { session: s, body: { text: edited, epoch } });
    expect(check.body).toMatchObject({ ok: true, stale: false, changed: true });
    expect((check.body.diff as { op: string; text: string }[]).filter((l) => l.op !== ' ')).toEqual([{ op: '+', text: 'primitive extra Dummy' }]);

    const before = cib();
    const badCommit = await call('POST', '/api/config/commit', { session: s, body: { text: `${text}\nprimitive ???`, epoch } });
    expect(badCommit.status).toBe(422);
    expect(cib()).toBe(before);

    const commit = await call('POST', '/api/config/commit', { session: s, body: { text: edited, epoch } });
    expect(commit.status).toBe(200);
    expect(commit.body.changed).toBe(true);
    expect(commit.body.epoch).not.toBe(epoch);
    expect(cib()).toMatch(/<primitive id="extra" class="ocf" provider="heartbeat" type="Dummy"/);

    // A second editor that loaded the old epoch is refused, and nothing it wrote lands.
    const after = cib();
    const stale = await call('POST', '/api/config/commit', { session: s, body: { text: text.replace(/^primitive vip Dummy/m, 'primitive vip2 Dummy'), epoch } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/the configuration changed underneath \(you edited 0\.\d+, it is now 0\.\d+\)/);
    expect(cib()).toBe(after);
  });

  it('runs a what-if without changing anything', async () => {
    const s = await login();
    const before = cib();
    const r = await call('POST', '/api/whatif', { session: s, body: { fail: ['node1'] } });
    expect(r.status).toBe(200);
    expect((r.body.summary as string[]).join('\n')).toMatch(/^ {2}\* \w+ +vip +\( +(node1 -> )?node[23] \)/m);
    // With no change vip stays where it is: it appears only in the simulated summary.
    expect((r.body.baseline as string[]).filter((l) => / vip /.test(l)), JSON.stringify(r.body.baseline)).toEqual([]);
    expect((r.body.placements as Record<string, { before: string; after: string }>).vip.after).not.toBe('node1');
    const move = await call('POST', '/api/whatif', { session: s, body: { moveResource: 'vip', moveTo: 'node3' } });
    expect((move.body.summary as string[]).join('\n')).toMatch(/Move\s+vip\s+\( node1 -> node3 \)/);
    expect(cib()).toBe(before);
  });

  it('shows the history: operations newest first, failures and fencing', async () => {
    const s = await login();
    const r = await call('GET', '/api/history', { session: s });
    const ops = r.body.operations as { resource: string; task: string; when: number }[];
    expect(ops.length).toBeGreaterThan(5);
    expect(ops.map((o) => o.when)).toEqual([...ops.map((o) => o.when)].sort((a, b) => b - a));
    expect(r.body.fencing).toEqual([]);
  });

  it('streams status changes over Server-Sent Events', async () => {
    const s = await login();
    const ctl = new AbortController();
    const res = await fetch(new URL('/api/events', web.url), { headers: { cookie: s.cookie }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: status')) text += new TextDecoder().decode((await reader.read()).value);
    const data = JSON.parse(/data: (.*)\n/.exec(text.slice(text.indexOf('event: status')))![1]) as { status: { nodes: unknown[] } };
    expect(data.status.nodes).toHaveLength(3);
    // A change made through the console is pushed at once; after logout the stream ends.
    await call('POST', '/api/actions', { session: s, body: { action: 'standby', node: 'node2' } });
    text = '';
    while (!text.includes('"standby":true')) text += new TextDecoder().decode((await reader.read()).value);
    await call('POST', '/api/actions', { session: s, body: { action: 'online', node: 'node2' } });
    await call('POST', '/api/logout', { session: s, body: {} });
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
    ctl.abort();
  });

  it('ends the sessions of a user whose password changed in the users file', async () => {
    const v = await login('victor', 'viewer pass');
    const a = await login();
    writeUser(usersFile, { name: 'victor', role: 'viewer', hash: await hashPassword('a new one') });
    expect((await call('GET', '/api/status', { session: v })).status).toBe(401);
    expect((await call('GET', '/api/status', { session: a })).status).toBe(200);
    expect((await call('POST', '/api/login', { body: { user: 'victor', password: 'a new one' } })).status).toBe(200);
  });

  it('logs out: the session no longer works', async () => {
    const s = await login();
    expect((await call('POST', '/api/logout', { session: s, body: {} })).status).toBe(200);
    expect((await call('GET', '/api/status', { session: s })).status).toBe(401);
  });
});
