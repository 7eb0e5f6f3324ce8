import { readStoreFile, updateStoreFile } from './file-store.js';
import {
  emptyStore,
  flushPending,
  getAttribute,
  nextDue,
  setAttribute,
  type AttributeRef,
  type AttributeStore,
  type SetOptions,
} from '../store.js';

export interface AttributeChange {
  ref: AttributeRef;
  /** undefined: deleted. */
  value: string | undefined;
}

export interface AttributeServiceOptions {
  /** Persist the store here (and read it back at start); without it the store lives in memory only. */
  stateDir?: string;
  now?: () => number;
  /** Every committed change, for the daemon to write into the CIB (status or nodes section). */
  onChange?: (changes: AttributeChange[]) => void;
}

/**
 * The attribute service a daemon runs: the pure store plus the one timer dampening needs, and
 * the file the helper commands share with it. Changes are reported once committed, so a
 * dampened flapping value reaches the CIB only when it settles.
 *
 * Agents' helpers (crm_master, attrd_updater ...) write the state file while an operation
 * runs: call refresh() when an operation ends to take in, and report, what they changed.
 */
export class AttributeService {
  private store: AttributeStore;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AttributeServiceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.store = options.stateDir ? readStoreFile(options.stateDir, this.now()) : emptyStore();
    this.schedule();
  }

  /** Re-reads the shared state file; reports what others (the helper commands) changed. */
  refresh(): void {
    if (!this.options.stateDir) return;
    const before = this.store;
    this.store = readStoreFile(this.options.stateDir, this.now());
    this.report(before, this.store);
    this.schedule();
  }

  get(ref: AttributeRef): string | undefined {
    return getAttribute(this.store, ref);
  }

  snapshot(): AttributeStore {
    return this.store;
  }

  set(ref: AttributeRef, value: string | undefined, opts: Omit<SetOptions, 'nowMs'> = {}): void {
    this.apply((s) => setAttribute(s, ref, value, { ...opts, nowMs: this.now() }));
  }

  /** Applies a change from the pure core (recordFailure, clearFailCount ...) and reports what it committed. */
  apply(change: (store: AttributeStore) => AttributeStore): void {
    const before = this.store;
    const after = this.options.stateDir ? updateStoreFile(this.options.stateDir, this.now(), change) : flushPending(change(before), this.now());
    this.store = after;
    this.report(before, after);
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const due = nextDue(this.store);
    if (due === undefined) return;
    this.timer = setTimeout(() => this.apply((s) => flushPending(s, this.now())), Math.max(0, due - this.now()));
    this.timer.unref();
  }

  private report(before: AttributeStore, after: AttributeStore): void {
    if (!this.options.onChange) return;
    const changes: AttributeChange[] = [];
    for (const scope of ['transient', 'permanent', 'utilization', 'cluster'] as const) {
      const nodes = new Set([...Object.keys(before.values[scope]), ...Object.keys(after.values[scope])]);
      for (const node of nodes) {
        const a = before.values[scope][node] ?? {};
        const b = after.values[scope][node] ?? {};
        for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
          if (a[name] !== b[name]) changes.push({ ref: { scope, node, name }, value: b[name] });
        }
      }
    }
    if (changes.length) this.options.onChange(changes);
  }
}
