import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORY_KEPT, type FenceHistoryEntry } from '../history.js';

/** Fence history survives a daemon restart: JSON lines in the node's state directory. */
export function historyPath(stateDir: string): string {
  return join(stateDir, 'fence-history.jsonl');
}

export function readFenceHistory(stateDir: string): FenceHistoryEntry[] {
  const path = historyPath(stateDir);
  if (!existsSync(path)) return [];
  const out: FenceHistoryEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as FenceHistoryEntry;
      if (typeof e.target === 'string' && typeof e.state === 'string') out.push(e);
    } catch {
      // A line cut short by a crash mid-write: the rest of the history is still good.
    }
  }
  return out.slice(-HISTORY_KEPT);
}

export function appendFenceHistory(stateDir: string, entry: FenceHistoryEntry): void {
  mkdirSync(stateDir, { recursive: true });
  appendFileSync(historyPath(stateDir), JSON.stringify(entry) + '\n');
}
