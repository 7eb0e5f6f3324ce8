import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** vigil's own fence agents (fence_vigil_netns), then the system's. */
export const FENCE_AGENT_DIRS = [fileURLToPath(new URL('../../../src/fencing/agents/', import.meta.url)), '/usr/sbin', '/usr/bin'];

export function findFenceAgent(agent: string, dirs: readonly string[] = FENCE_AGENT_DIRS): string | null {
  if (!/^fence_[\w.-]+$/.test(agent)) return null;
  for (const dir of dirs) {
    const path = join(dir, agent);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory: try the next.
    }
  }
  return null;
}

export interface FenceAgentResult {
  ok: boolean;
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/**
 * Runs a fence agent the way the fencer does: `name=value` lines on stdin (action included),
 * its own process group killed at the deadline.
 */
export function runFenceAgent(path: string, params: Record<string, string>, action: string, timeoutMs: number): Promise<FenceAgentResult> {
  return new Promise((resolve) => {
    const child = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8192);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, exitCode: null, output: err.message, timedOut: false });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, exitCode: code, output: output.trim(), timedOut });
    });
    const lines = Object.entries({ ...params, action }).map(([k, v]) => `${k}=${v}`);
    child.stdin.on('error', () => undefined);
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/**
 * A directory holding every fence agent this node can run (links to the system's fence_* and to
 * vigil's own), for the executor, which looks for stonith agents in one directory.
 */
export function linkFenceAgents(dir: string, sources: readonly string[] = FENCE_AGENT_DIRS): string {
  mkdirSync(dir, { recursive: true });
  for (const source of [...sources].reverse()) {
    let names: string[];
    try {
      names = readdirSync(source).filter((n) => /^fence_[\w.-]+$/.test(n));
    } catch {
      continue;
    }
    for (const name of names) {
      const link = join(dir, name);
      rmSync(link, { force: true });
      symlinkSync(join(source, name), link);
    }
  }
  return dir;
}
