import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** vigil's own fence agents (fence_vigil_netns), then the system's. */
export const FENCE_AGENT_DIRS = [fileURLToPath(new URL('../../../src/fencing/agents/', import.meta.url)), '/usr/sbin', '/usr/bin'];

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
