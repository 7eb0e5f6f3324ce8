/**
 * Split-brain detection for the e2e tests: is a resource's process (`sleep ARG`) alive in two
 * node namespaces at the same moment?
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Seen {
  /** Index of the namespace. */
  side: number;
  pid: number;
}

/** The `sleep ARG` processes in the namespaces (by inode), in the order one pass over /proc read them. */
function servicePids(namespaces: readonly string[], arg: string): Seen[] {
  const inodes = namespaces.map((ns) => `net:[${statSync(`/run/netns/${ns}`).ino}]`);
  const out: Seen[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8') !== 'sleep\n') continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) continue;
      const side = inodes.indexOf(readlinkSync(`/proc/${entry}/ns/net`));
      if (side >= 0) out.push({ side, pid: Number(entry) });
    } catch {
      // Gone meanwhile, or a zombie (no namespace left): it holds nothing.
    }
  }
  return out;
}

/**
 * A split brain is the resource's process alive in both namespaces at the same moment. No two
 * reads are at the same moment (under load they can be 100 ms apart), so a pass that sees both
 * sides is evidence only when the process it read first is still there, the same pid, in a
 * second pass: a process alive at two reads was alive between them, when the other side's was
 * read. (Taking one pass as proof "saw" a split brain when one side was fenced just after it
 * was read and the other started just before it was: that is how partitions.test.ts once failed under load.)
 */
export function splitBrainEvidence(first: readonly Seen[], second: readonly Seen[]): string | null {
  for (const [i, early] of first.entries()) {
    const later = first.slice(i + 1).find((s) => s.side !== early.side);
    if (later !== undefined && second.some((s) => s.pid === early.pid)) {
      return `pid ${early.pid} (side ${early.side}) was alive before and after pid ${later.pid} (side ${later.side}) was seen`;
    }
  }
  return null;
}

/**
 * Watches for `sleep ARG` alive in two namespaces at once until stop(), which returns the first
 * proof found (null: none).
 */
export function splitBrainSampler(namespaces: readonly [string, string], arg: string): { stop: () => Promise<string | null> } {
  let evidence: string | null = null;
  let running = true;
  const loop = (async () => {
    while (running && evidence === null) {
      try {
        const first = servicePids(namespaces, arg);
        if (new Set(first.map((s) => s.side)).size > 1) evidence = splitBrainEvidence(first, servicePids(namespaces, arg));
      } catch {
        // A failed test tears its namespaces down without stopping us: there is nothing left to watch.
        return;
      }
      await sleepMs(20);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return evidence;
    },
  };
}
