import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * This start's incarnation: greater than every earlier one of this node, even if the clock went
 * back (the last value is kept in the state directory), and usually the start time in ms, so a
 * node whose state directory was wiped still comes back above its previous life.
 */
export async function nextIncarnation(stateDir: string, nowMs: number): Promise<number> {
  await mkdir(stateDir, { recursive: true });
  const path = join(stateDir, 'incarnation');
  let previous = 0;
  try {
    const n = Number((await readFile(path, 'utf8')).trim());
    if (Number.isSafeInteger(n) && n > 0) previous = n;
  } catch {
    // First start on this disk.
  }
  const next = Math.max(previous + 1, Math.floor(nowMs));
  await writeFile(`${path}.tmp`, `${next}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return next;
}
