import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor, type ExecutorOptions } from '../../src/executor/index.js';
import { readStoreFile } from '../../src/attributes/io/file-store.js';
import { getAttribute } from '../../src/attributes/store.js';
import type { AgentSpec, OperationRequest } from '../../src/executor/types.js';

export const ROOT = process.cwd();
/** The built-in agents' OCF wrappers and the helper shims run from the compiled tree (`npm run build`). */
export const BUILT = existsSync(join(ROOT, 'dist', 'executor', 'agents', 'run.js')) && existsSync(join(ROOT, 'dist', 'executor', 'helpers', 'main.js'));

/** For describe.skipIf / it.skipIf: true (skip) when `ok` is false, saying why on the console. */
export function missing(ok: boolean, why: string): boolean {
  if (!ok) console.warn(`skipped: ${why}`);
  return !ok;
}

export const needsBuild = (): boolean => missing(BUILT, 'dist/executor is not built (run `npm run build` first)');
export const needs = (path: string, pkg: string): boolean => missing(existsSync(path), `${path} is absent (Debian package ${pkg})`);

export const has = (path: string): boolean => existsSync(path);

export interface Sandbox {
  dir: string;
  stateDir: string;
  rscTmp: string;
  executor: Executor;
  /** Reads a transient attribute of node1 from the file-backed store the helpers write. */
  transient(name: string): string | undefined;
}

const made: string[] = [];

/** Removes every sandbox this test file made: call from a top-level afterAll, which runs even when filters skip a suite. */
export function removeSandboxes(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function sandbox(options: Partial<ExecutorOptions> = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-exec-'));
  made.push(dir);
  const stateDir = join(dir, 'state');
  const rscTmp = join(dir, 'rsc');
  mkdirSync(rscTmp);
  const executor = new Executor({ nodeName: 'node1', attributes: { kind: 'file', stateDir }, rscTmp, killGraceMs: 300, ...options });
  return {
    dir,
    stateDir,
    rscTmp,
    executor,
    transient: (name) => getAttribute(readStoreFile(stateDir, Date.now()), { scope: 'transient', node: 'node1', name }),
  };
}

export function req(resourceId: string, agent: AgentSpec, task: string, params: Record<string, string> = {}, over: Partial<OperationRequest> = {}): OperationRequest {
  return { resourceId, agent, params, meta: {}, task, intervalMs: 0, timeoutMs: 20_000, ...over };
}

export function writeScript(path: string, body: string): string {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Orphans are reaped by PID 1, which here may take a moment: wait until the process is gone for good. */
export async function gone(pid: number, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !existsSync(`/proc/${pid}`);
}

export const ocf = (provider: string, type: string): AgentSpec => ({ agentClass: 'ocf', provider, type });
