/**
 * End-to-end harness: a vigil cluster on real network namespaces (test/netns), one vigild per
 * node inside each node's namespace, plus client namespaces with no cluster
 * software. Everything is built from dist/ (run `npm run build` first) and torn down by
 * `destroy()`, which also kills whatever the agents started inside the namespaces.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnWithOwnPids } from './own-pids.js';
import { waitFor } from './wait.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const VIGIL = join(root, 'dist/cli/main.js');
export const FENCE_AGENT = join(root, 'src/fencing/agents/fence_vigil_netns');

interface Network {
  prefix: string;
  hub: string;
  nodes: { name: string; ns: string; addresses: string[] }[];
  exec(i: number, cmd: string, args?: string[]): string;
  spawn(i: number, cmd: string, args: string[], options: object): import('node:child_process').ChildProcess;
  setLink(i: number, link: number, up: boolean): void;
  isolate(i: number): void;
  heal(i: number): void;
  destroy(): void;
}

interface LocalClusterLike {
  nodes: { name: string; address: string; socket: string; stateDir: string }[];
  start(i: number): void;
  startAll(): void;
  shutdownNode(i: number, timeoutMs?: number): Promise<void>;
  isRunning(i: number): boolean;
  waitForMembers(count: number, timeoutMs?: number): Promise<void>;
  daemonStatus(i: number): Promise<{ view?: { members: string[]; dc: string | null; quorate: boolean } }>;
  replace(i: number, scope: string, xml: string): Promise<void>;
  cib(i: number): Promise<import('../../src/cib/xml.js').XmlElement>;
  stop(): Promise<void>;
}

/** null when the e2e tests can run here; otherwise why not, for the skip message. */
export async function e2eUnavailable(): Promise<string | null> {
  if (!existsSync(join(root, 'dist/demo/local-cluster.js'))) return 'dist/ is missing: run `npm run build` first';
  const { netnsAvailable } = (await import('../netns/netns.mjs')) as { netnsAvailable: () => string | null };
  return netnsAvailable();
}

export interface E2eCluster {
  net: Network;
  cluster: LocalClusterLike;
  /** Namespace of cluster node i, and of client c (after the cluster nodes). */
  ns(i: number): string;
  clientNs(c?: number): string;
  /** `vigil ARGS` against node i's vigild; returns stdout, throws on failure. */
  vigil(i: number, ...args: string[]): string;
  /** Runs a command in client c's namespace; null when it failed. */
  client(cmd: string, args: string[], c?: number): string | null;
  /** Where the primitive runs according to the DC's CIB. */
  where(rsc: string, via?: number): Promise<string[]>;
  /** Where the primitive runs according to node i's own CIB (what it would fence by). */
  whereOn(rsc: string, i: number): Promise<string[]>;
  /** Kills every process in node i's namespace and downs its link: a power cut. */
  powerOff(i: number): void;
  /** Pids of processes named `comm` inside node i's namespace (and, if given, whose command line has `arg`). */
  pidsNamed(i: number, comm: string, arg?: string): number[];
  /** Node i back up: link up, vigild started again. */
  powerOn(i: number): void;
  /** Polls until `pred` holds; throws with the last value seen after `ms`. */
  waitFor<T>(what: string, get: () => Promise<T>, pred: (v: T) => boolean, ms?: number): Promise<T>;
  destroy(): Promise<void>;
}

/**
 * `ownPids`: each node's vigild, and so its agents and services, in a PID namespace of its own,
 * as on separate hosts (see own-pids.ts); needed by agents that trust pid files on a shared disk.
 */
export async function startE2eCluster(options: { nodes: number; clients?: number; budget?: string; extraConfig?: string; ownPids?: boolean }): Promise<E2eCluster> {
  const { createNetwork, cleanupLeftovers } = (await import('../netns/netns.mjs')) as {
    createNetwork: (o: { nodes: number }) => Network;
    cleanupLeftovers: () => string[];
  };
  const { LocalCluster } = (await import(join(root, 'dist/demo/local-cluster.js'))) as { LocalCluster: new (o: object) => LocalClusterLike };
  const { activeNodes } = (await import(join(root, 'dist/controller/admin/edits.js'))) as { activeNodes: (cib: unknown, id: string) => string[] };
  cleanupLeftovers();
  const clients = options.clients ?? 0;
  const net = createNetwork({ nodes: options.nodes + clients });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  let cluster: LocalClusterLike;
  try {
    cluster = new LocalCluster({
      dir,
      nodes: options.nodes,
      port: 5405,
      budget: options.budget ?? '1s',
      extraConfig: options.extraConfig,
      address: (i: number) => net.nodes[i].addresses[0],
      spawnOn: (i: number, cmd: string, args: string[], opts: object) =>
        options.ownPids ? spawnWithOwnPids((c, a, o) => net.spawn(i, c, a, o), cmd, args, opts) : net.spawn(i, cmd, args, opts),
    });
  } catch (err) {
    net.destroy();
    throw err;
  }
  const self: E2eCluster = {
    net,
    cluster,
    ns: (i) => net.nodes[i].ns,
    clientNs: (c = 0) => net.nodes[options.nodes + c].ns,
    vigil(i, ...args) {
      return execFileSync(process.execPath, [VIGIL, ...args, '--socket', cluster.nodes[i].socket], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    client(cmd, args, c = 0) {
      try {
        return net.exec(options.nodes + c, cmd, args);
      } catch {
        return null;
      }
    },
    async where(rsc, via) {
      const order = via === undefined ? cluster.nodes.map((_, i) => i) : [via];
      for (const i of order) {
        if (!cluster.isRunning(i)) continue;
        try {
          const st = await cluster.daemonStatus(i);
          const dc = cluster.nodes.findIndex((n) => n.name === st.view?.dc);
          return activeNodes(await cluster.cib(dc >= 0 && cluster.isRunning(dc) ? dc : i), rsc);
        } catch {
          // Not answering (starting, or just killed): ask the next node.
        }
      }
      return [];
    },
    pidsNamed(i, comm, arg) {
      let out: string;
      try {
        out = execFileSync('ip', ['netns', 'pids', net.nodes[i].ns], { encoding: 'utf8', timeout: 5000 });
      } catch {
        return [];
      }
      return out
        .split('\n')
        .filter(Boolean)
        .map(Number)
        .filter((pid) => {
          try {
            if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) return false;
            return arg === undefined || readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(arg);
          } catch {
            return false;
          }
        });
    },
    async whereOn(rsc, i) {
      return activeNodes(await cluster.cib(i), rsc);
    },
    powerOff(i) {
      execFileSync(FENCE_AGENT, [], { input: `action=off\nplug=${net.nodes[i].ns}\n`, timeout: 10_000 });
    },
    powerOn(i) {
      // A reboot forgets what the running system had: addresses added to its interface (VIPs)
      // and the run-time directory agents keep their pid and state files in.
      net.exec(i, 'ip', ['addr', 'flush', 'dev', 'eth0']);
      net.exec(i, 'ip', ['addr', 'add', `${net.nodes[i].addresses[0]}/24`, 'dev', 'eth0']);
      rmSync(join(cluster.nodes[i].stateDir, 'rsctmp'), { recursive: true, force: true });
      execFileSync(FENCE_AGENT, [], { input: `action=on\nplug=${net.nodes[i].ns}\n`, timeout: 10_000 });
      cluster.start(i);
    },
    waitFor,
    async destroy() {
      await cluster.stop().catch(() => undefined);
      net.destroy();
      // VIGIL_E2E_KEEP=1 keeps the logs and state for a post-mortem.
      if (process.env.VIGIL_E2E_KEEP === '1') process.stderr.write(`e2e state kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.startAll();
  try {
    await cluster.waitForMembers(options.nodes, 20_000);
  } catch (err) {
    await self.destroy();
    throw err;
  }
  return self;
}

/** Sum of the resource's fail counts on a node, as the first running node's CIB holds them. */
export async function failCount(e: E2eCluster, node: string, rsc: string): Promise<number> {
  for (let i = 0; i < e.cluster.nodes.length; i++) {
    if (!e.cluster.isRunning(i)) continue;
    const cib = await e.cluster.cib(i);
    const state = cib.children.find((c) => c.name === 'status')?.children.find((s) => s.attrs.uname === node);
    let sum = 0;
    for (const t of state?.children ?? []) if (t.name === 'transient_attributes') for (const set of t.children) for (const p of set.children) {
      if ((p.attrs.name ?? '').startsWith(`fail-count-${rsc}#`)) sum += p.attrs.value === 'INFINITY' ? 1_000_000 : Number(p.attrs.value);
    }
    return sum;
  }
  throw new Error('no vigild answers');
}

/** A primitive as XML; `params` become instance attributes, `meta` meta attributes. */
export function primitive(id: string, agent: string, params: Record<string, string> = {}, monitor = '1s', meta: Record<string, string> = {}): string {
  const [cls, provider, type] = agent.split(':');
  const nv = (set: string, o: Record<string, string>): string =>
    Object.keys(o).length === 0 ? '' : `<${set} id="${id}-${set}">${Object.entries(o).map(([k, v]) => `<nvpair id="${id}-${set}-${k}" name="${k}" value="${v}"/>`).join('')}</${set}>`;
  const attrs = type === undefined ? `class="${cls}" type="${provider}"` : `class="${cls}" provider="${provider}" type="${type}"`;
  return `<primitive id="${id}" ${attrs}>${nv('instance_attributes', params)}${nv('meta_attributes', meta)}<operations><op id="${id}-monitor" name="monitor" interval="${monitor}" timeout="10s"/></operations></primitive>`;
}

export function properties(props: Record<string, string>): string {
  return `<crm_config><cluster_property_set id="cib-bootstrap-options">${Object.entries(props).map(([k, v]) => `<nvpair id="opt-${k}" name="${k}" value="${v}"/>`).join('')}</cluster_property_set></crm_config>`;
}

export function rscDefaults(meta: Record<string, string>): string {
  return `<rsc_defaults><meta_attributes id="rsc-defaults">${Object.entries(meta).map(([k, v]) => `<nvpair id="rscdef-${k}" name="${k}" value="${v}"/>`).join('')}</meta_attributes></rsc_defaults>`;
}

/** A fence device that powers off namespace nodes: node names map to their namespaces. */
export function netnsFenceDevice(e: E2eCluster, nodes: number): string {
  const map = Array.from({ length: nodes }, (_, i) => `${e.cluster.nodes[i].name}:${e.ns(i)}`).join(';');
  return primitive('fence-netns', 'stonith:fence_vigil_netns', { pcmk_host_map: map }, '60s');
}
