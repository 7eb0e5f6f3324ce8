import { clusterStatus, type ClusterStatusView } from '../status/index.js';
import { describeVersion, epochOf, type ClusterBackend, type ClusterSnapshot, type MembershipFacts } from './backend.js';

/** What the dashboard shows: the shared status model plus membership as the local daemon sees it. */
export interface ConsoleStatus {
  source: string;
  version: string;
  epoch: string;
  membership: MembershipFacts | null;
  status: ClusterStatusView;
  /** Epoch ms when this was read. */
  at: number;
}

export function consoleStatus(source: string, snap: ClusterSnapshot, nowMs: number): ConsoleStatus {
  return {
    source,
    version: describeVersion(snap.cib),
    epoch: epochOf(snap.cib),
    membership: snap.membership,
    status: clusterStatus(snap.cib, { now: nowMs }),
    at: nowMs,
  };
}

type Listener = (payload: string) => void;

/**
 * Reads the cluster once per period while anyone watches, and hands each change to every
 * watcher: many open dashboards cost one read, not one each.
 */
export class StatusHub {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private last = '';
  private lastKey = '';
  private lastError = '';

  constructor(
    private readonly backend: ClusterBackend,
    private readonly now: () => number,
    private readonly periodMs: number,
  ) {}

  async read(): Promise<ConsoleStatus> {
    return consoleStatus(this.backend.describe, await this.backend.snapshot(), this.now());
  }

  /** Subscribes; the listener gets the latest state at once, then every change. */
  watch(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.last !== '') listener(this.last);
    if (this.timer === null) {
      void this.tick();
      this.timer = setInterval(() => void this.tick(), this.periodMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
        this.last = '';
        this.lastKey = '';
      }
    };
  }

  /** Reads now (after a change made through the console) instead of at the next period. */
  poke(): void {
    if (this.timer !== null) void this.tick();
  }

  private async tick(): Promise<void> {
    let payload: string;
    try {
      const s = await this.read();
      // `at` changes every read: leave it out of the comparison so that only real changes go out.
      const key = JSON.stringify({ ...s, at: 0 });
      if (key === this.lastKey) return;
      this.lastKey = key;
      payload = JSON.stringify(s);
      this.lastError = '';
    } catch (err) {
      const message = (err as Error).message;
      if (message === this.lastError) return;
      this.lastError = message;
      this.lastKey = '';
      payload = JSON.stringify({ error: message });
    }
    this.last = payload;
    for (const l of this.listeners) l(payload);
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
