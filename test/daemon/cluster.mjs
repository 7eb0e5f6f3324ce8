/**
 * Runs a real vigild cluster for tests and benches: writes the key and vigil.conf, starts one
 * `vigild` process per node (inside a test/netns namespace when a network is given, else on
 * loopback addresses 127.0.<link>.<i+1>), and talks to each over its API socket.
 * Needs the build (dist/); every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const vigildPath = join(root, 'dist/daemon/main.js');
export const vigilPath = join(root, 'dist/cli/main.js');

/** null when the build is there; otherwise why not, for a skip message. */
export function buildAvailable() {
  return existsSync(vigildPath) && existsSync(join(root, 'dist/daemon/client.js')) ? null : 'dist/ is missing: run `npm run build` first';
}

export async function startCluster({ network, nodes = 3, links = 1, budget = '1s', dir, port, encrypt = false, extraConfig = '' }) {
  const { connect } = await import(join(root, 'dist/daemon/client.js'));
  const count = network ? network.nodes.length : nodes;
  const linkCount = network ? network.nodes[0].addresses.length : links;
  // Below the demo clusters' ports (20000-31999) and Linux's ephemeral range.
  const usePort = port ?? (network ? 694 : 10_000 + Math.floor(Math.random() * 10_000));
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'authkey');
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  const names = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const addresses = (i) => (network ? network.nodes[i].addresses : Array.from({ length: linkCount }, (_, l) => `127.0.${l}.${i + 1}`));
  const conf = [
    '[cluster]',
    'name = testcluster',
    '[transport]',
    `key_file = ${keyFile}`,
    `port = ${usePort}`,
    `crypto = ${encrypt ? 'aes-256-gcm' : 'hmac-sha256'}`,
    '[timing]',
    `detection_budget = ${budget}`,
    ...names.flatMap((n, i) => [`[node ${n}]`, `id = ${i + 1}`, `addresses = ${addresses(i).join(', ')}`]),
    extraConfig,
  ].join('\n');
  const configFile = join(dir, 'vigil.conf');
  writeFileSync(configFile, conf + '\n');

  const procs = new Array(count).fill(null);
  const node = (i) => ({
    name: names[i],
    socket: join(dir, `${names[i]}.sock`),
    stateDir: join(dir, names[i], 'state'),
    logDir: join(dir, names[i], 'log'),
    logFile: join(dir, names[i], 'log', 'vigild.log'),
    stderrFile: join(dir, `${names[i]}.stderr`),
    addresses: addresses(i),
  });

  const cluster = {
    dir,
    configFile,
    port: usePort,
    names,
    node,
    /** Starts (or restarts) node i's daemon. */
    start(i) {
      const n = node(i);
      const args = [vigildPath, '--config', configFile, '--node', n.name, '--socket', n.socket, '--state-dir', n.stateDir, '--log-dir', n.logDir];
      const err = openSync(n.stderrFile, 'a');
      const opts = { stdio: ['ignore', 'ignore', err] };
      procs[i] = network ? network.spawn(i, process.execPath, args, opts) : spawn(process.execPath, args, opts);
      closeSync(err);
      return procs[i];
    },
    pid(i) {
      return procs[i]?.pid;
    },
    /**
     * The daemon's own pid. Inside a namespace the child is `ip netns exec`, which execs node, so
     * it is the same process.
     */
    kill(i, signal = 'SIGKILL') {
      const p = procs[i];
      if (p && p.exitCode === null && p.signalCode === null) p.kill(signal);
    },
    async waitExit(i, ms = 5000) {
      const p = procs[i];
      if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
      return await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${names[i]} did not exit within ${ms} ms`)), ms);
        p.once('exit', (code) => {
          clearTimeout(t);
          resolve(code);
        });
      });
    },
    async request(i, req) {
      const c = await connect(node(i).socket);
      try {
        return await c.request(req);
      } finally {
        c.close();
      }
    },
    status(i) {
      return cluster.request(i, { op: 'status' });
    },
    /** Polls node i's status until `pred(status)` holds; throws with the last status after `ms`. */
    async waitFor(i, pred, ms = 10_000, what = 'condition') {
      const end = Date.now() + ms;
      let last = null;
      let lastErr = null;
      while (Date.now() < end) {
        try {
          last = await cluster.status(i);
          if (pred(last)) return last;
        } catch (err) {
          lastErr = err;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const view = last ? JSON.stringify(last.view) : `no status (${lastErr?.message})`;
      throw new Error(`${names[i]}: ${what} not reached within ${ms} ms; last view ${view}`);
    },
    /** Node i's JSON log records. */
    events(i) {
      const f = node(i).logFile;
      if (!existsSync(f)) return [];
      return readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
    },
    /** Stops every daemon: SIGTERM, then SIGKILL after a bounded wait. */
    async stop() {
      for (let i = 0; i < count; i++) cluster.kill(i, 'SIGTERM');
      for (let i = 0; i < count; i++) {
        try {
          await cluster.waitExit(i, 4000);
        } catch {
          cluster.kill(i, 'SIGKILL');
          await cluster.waitExit(i, 2000).catch(() => undefined);
        }
      }
    },
  };
  for (let i = 0; i < count; i++) cluster.start(i);
  return cluster;
}
