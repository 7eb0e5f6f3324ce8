import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseXml, type XmlElement } from '../cib/xml.js';
import { request } from '../daemon/client.js';

const VIGILD = fileURLToPath(new URL('../daemon/main.js', import.meta.url));

export interface LocalClusterOptions {
  dir: string;
  nodes: number;
  /** Address of node i on its (single) link. Default: 127.0.0.(i+1), loopback, no root needed. */
  address?: (i: number) => string;
  port?: number;
  /** detection_budget of vigil.conf; vigil's default when not given. */
  budget?: string;
  extraConfig?: string;
  /** vigild's --log-level (default info): the failover benchmark reads debug timestamps. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How to start a process on node i: inside its network namespace, for real-network tests. */
  spawnOn?: (i: number, command: string, args: string[], options: SpawnOptions) => ChildProcess;
}

export interface LocalNode {
  name: string;
  address: string;
  socket: string;
  stateDir: string;
  logDir: string;
}

/**
 * A whole cluster on one machine: one vigild per node (its controller, executor and fencer
 * inside), each node with its own address, state directory and socket. For `vigil demo`, the end-to-end tests and the failover
 * benchmark. Every process it starts is remembered by pid and stopped by `stop()`.
 */
export class LocalCluster {
  readonly nodes: LocalNode[];
  readonly configFile: string;
  readonly port: number;
  private readonly daemons: (ChildProcess | null)[];

  constructor(private readonly o: LocalClusterOptions) {
    mkdirSync(o.dir, { recursive: true });
    // Each cluster uses its port and, in the demo and tests, the next two (a web server resource,
    // spare); clusters started by
    // processes with consecutive pids (parallel test workers) must not overlap, and all stay below
    // Linux's ephemeral range (32768 and up), where outgoing connections take their ports.
    this.port = o.port ?? 20_000 + (process.pid % 4_000) * 3;
    const address = o.address ?? ((i: number) => `127.0.0.${i + 1}`);
    this.nodes = Array.from({ length: o.nodes }, (_, i) => {
      const name = `node${i + 1}`;
      return { name, address: address(i), socket: join(o.dir, `${name}.sock`), stateDir: join(o.dir, name, 'state'), logDir: join(o.dir, name, 'log') };
    });
    const keyFile = join(o.dir, 'authkey');
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    this.configFile = join(o.dir, 'vigil.conf');
    const lines = [
      '[cluster]',
      'name = vigil-demo',
      '[transport]',
      `key_file = ${keyFile}`,
      `port = ${this.port}`,
      ...(o.budget !== undefined ? ['[timing]', `detection_budget = ${o.budget}`] : []),
      ...this.nodes.flatMap((n, i) => [`[node ${n.name}]`, `id = ${i + 1}`, `addresses = ${n.address}`]),
      o.extraConfig ?? '',
    ];
    writeFileSync(this.configFile, lines.join('\n') + '\n');
    this.daemons = this.nodes.map(() => null);
  }

  private launch(i: number, script: string, args: string[], logName: string): ChildProcess {
    const n = this.nodes[i];
    mkdirSync(n.logDir, { recursive: true });
    const err = openSync(join(n.logDir, logName), 'a');
    const options: SpawnOptions = { stdio: ['ignore', 'ignore', err] };
    const child = this.o.spawnOn ? this.o.spawnOn(i, process.execPath, [script, ...args], options) : spawn(process.execPath, [script, ...args], options);
    closeSync(err);
    appendFileSync(join(n.logDir, 'launches.log'), `${new Date().toISOString()} ${logName} pid ${child.pid ?? '?'}\n`);
    return child;
  }

  /** Starts node i's daemon. */
  start(i: number): void {
    const n = this.nodes[i];
    const args = ['--config', this.configFile, '--node', n.name, '--socket', n.socket, '--state-dir', n.stateDir, '--log-dir', n.logDir, '--log-format', 'json', '--log-level', this.o.logLevel ?? 'info'];
    this.daemons[i] = this.launch(i, VIGILD, args, 'vigild.stderr');
  }

  startAll(): void {
    for (let i = 0; i < this.nodes.length; i++) this.start(i);
  }

  /** Pid of node i's daemon, if it runs (for RSS and CPU figures). */
  pids(i: number): number[] {
    return [this.daemons[i]?.pid].filter((p): p is number => p !== undefined);
  }

  isRunning(i: number): boolean {
    const d = this.daemons[i];
    return d !== null && d.exitCode === null && d.signalCode === null;
  }

  /**
   * Pulls the plug on node i: kill -9 of its daemon and every process its agents
   * started (found by the node's own HA_RSCTMP in their environment), as a power cut would.
   */
  powerOff(i: number): void {
    const d = this.daemons[i];
    if (d && d.exitCode === null) d.kill('SIGKILL');
    for (const pid of agentProcesses(join(this.nodes[i].stateDir, 'rsctmp'))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.daemons[i] = null;
  }

  async daemonStatus(i: number): Promise<{ view?: { members: string[]; dc: string | null; quorate: boolean } }> {
    return (await request({ op: 'status' }, this.nodes[i].socket)) as { view?: { members: string[]; dc: string | null; quorate: boolean } };
  }

  async replace(i: number, scope: string, xml: string): Promise<void> {
    await request({ op: 'cib.replace', scope, xml }, this.nodes[i].socket);
  }

  /** The CIB, operation history included, as node i holds it. */
  async cib(i: number): Promise<XmlElement> {
    const xml = await request({ op: 'cib.query' }, this.nodes[i].socket);
    if (typeof xml !== 'string') throw new Error('vigild answered with something that is not XML');
    return parseXml(xml, `${this.nodes[i].name}'s CIB`);
  }

  /** Waits (bounded) until every running node sees the same full view with a DC. */
  async waitForMembers(count: number, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      try {
        const views = await Promise.all(this.nodes.map((_, i) => (this.isRunning(i) ? this.daemonStatus(i) : null)));
        const seen = views.filter((v) => v !== null).map((v) => v.view);
        last = JSON.stringify(seen);
        if (seen.length > 0 && seen.every((v) => v !== undefined && v.members.length === count && v.dc !== null && v.dc === seen[0]?.dc)) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the cluster did not form ${count} members within ${timeoutMs} ms (last: ${last})`);
  }

  /** Shuts node i down cleanly: the DC moves its resources away before it leaves. */
  async shutdownNode(i: number, timeoutMs = 40_000): Promise<void> {
    const wait = async (p: ChildProcess | null, ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (p && p.exitCode === null && p.signalCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    };
    this.daemons[i]?.kill('SIGTERM');
    await wait(this.daemons[i], timeoutMs);
    this.daemons[i] = null;
  }

  /** Stops everything at once (no draining): the agents' processes are killed after the daemons. */
  async stop(): Promise<void> {
    for (const d of this.daemons) {
      if (!d || d.exitCode !== null || d.signalCode !== null) continue;
      // The second signal skips the drain (moving resources away): every node goes anyway.
      d.kill('SIGTERM');
      d.kill('SIGINT');
    }
    const deadline = Date.now() + 4000;
    for (const p of this.daemons) {
      while (p && p.exitCode === null && p.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
    for (const n of this.nodes) for (const pid of agentProcesses(join(n.stateDir, 'rsctmp'))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** Processes started by a node's agents: their environment names the node's HA_RSCTMP. */
export function agentProcesses(rscTmp: string): number[] {
  const marker = `HA_RSCTMP=${rscTmp}\0`;
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) out.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}
