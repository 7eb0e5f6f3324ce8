/**
 * A vigil cluster on loopback (127.0.0.N), as `vigil demo` runs it: no root, no namespaces.
 * Built from dist/ (run `npm run build` first); `destroy()` stops every process it started.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XmlElement } from '../../src/cib/xml.js';
import { waitFor } from './wait.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const VIGIL = join(root, 'dist/cli/main.js');

interface ClusterLike {
  nodes: { name: string; socket: string; stateDir: string }[];
  startAll(): void;
  powerOff(i: number): void;
  isRunning(i: number): boolean;
  waitForMembers(count: number, timeoutMs?: number): Promise<void>;
  daemonStatus(i: number): Promise<{ view?: { members: string[]; dc: string | null; quorate: boolean } }>;
  replace(i: number, scope: string, xml: string): Promise<void>;
  cib(i: number): Promise<XmlElement>;
  stop(): Promise<void>;
}

export function loopbackUnavailable(): string | null {
  return existsSync(join(root, 'dist/demo/local-cluster.js')) ? null : 'dist/ is missing: run `npm run build` first';
}

export interface LoopbackCluster {
  cluster: ClusterLike;
  /** `vigil ARGS` against node i; returns stdout, throws on failure. */
  vigil(i: number, ...args: string[]): string;
  /** The DC's CIB (operation history included), asked through the first running node that answers. */
  dcCib(): Promise<XmlElement>;
  /** Files an agent keeps under node i's HA_RSCTMP whose names start with `prefix`. */
  stateFiles(i: number, prefix: string): string[];
  /** Contents of those files (what the agent keeps there: Stateful's role). */
  stateContents(i: number, prefix: string): string[];
  waitFor<T>(what: string, get: () => Promise<T> | T, pred: (v: T) => boolean, ms?: number): Promise<T>;
  destroy(): Promise<void>;
}

export async function startLoopbackCluster(nodes: number): Promise<LoopbackCluster> {
  const { LocalCluster } = (await import(join(root, 'dist/demo/local-cluster.js'))) as { LocalCluster: new (o: object) => ClusterLike };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-loop-'));
  const cluster = new LocalCluster({ dir, nodes });
  const self: LoopbackCluster = {
    cluster,
    vigil: (i, ...args) => execFileSync(process.execPath, [VIGIL, ...args, '--socket', cluster.nodes[i].socket], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }),
    async dcCib() {
      for (let i = 0; i < cluster.nodes.length; i++) {
        if (!cluster.isRunning(i)) continue;
        try {
          const st = await cluster.daemonStatus(i);
          const dcIndex = cluster.nodes.findIndex((n) => n.name === st.view?.dc);
          return await cluster.cib(dcIndex >= 0 && cluster.isRunning(dcIndex) ? dcIndex : i);
        } catch {
          // Starting or just killed: ask the next node.
        }
      }
      throw new Error('no vigild answers');
    },
    stateFiles(i, prefix) {
      try {
        return readdirSync(join(cluster.nodes[i].stateDir, 'rsctmp')).filter((f) => f.startsWith(prefix));
      } catch {
        return [];
      }
    },
    stateContents(i, prefix) {
      return self.stateFiles(i, prefix).flatMap((f) => {
        try {
          return [readFileSync(join(cluster.nodes[i].stateDir, 'rsctmp', f), 'utf8').trim()];
        } catch {
          return [];
        }
      });
    },
    waitFor,
    async destroy() {
      await cluster.stop().catch(() => undefined);
      if (process.env.VIGIL_E2E_KEEP === '1') process.stderr.write(`loopback cluster state kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.startAll();
  try {
    await cluster.waitForMembers(nodes, 20_000);
  } catch (err) {
    await self.destroy();
    throw err;
  }
  return self;
}
