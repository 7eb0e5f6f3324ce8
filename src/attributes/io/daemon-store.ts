import { existsSync } from 'node:fs';
import type { AttrUpdate } from '../../daemon/attributes-protocol.js';
import { connect, DaemonError, DEFAULT_SOCKET, type DaemonClient } from '../../daemon/client.js';
import { emptyStore, type AttributeScope, type AttributeStore, type PendingWrite } from '../store.js';

/**
 * The attribute store of a running vigild, for the helper commands and the CLI: read once as a
 * snapshot, changed with the same pure functions as the file stores, and the difference sent
 * back as one attr.update (committed through the DC when it returns).
 */
export interface DaemonStore {
  socket: string;
  /** The node the daemon runs on: the default node of attrd_updater and crm_attribute. */
  self: string;
  snapshot: AttributeStore;
  /** Sends what `after` changed from the snapshot; resolves once the cluster holds it. */
  push(after: AttributeStore, nowMs: number): Promise<void>;
  close(): void;
}

const SCOPES: AttributeScope[] = ['transient', 'permanent', 'utilization', 'cluster'];

/**
 * The daemon to use: $VIGIL_SOCKET when set, else the default socket when one exists there.
 * `undefined` when there is none (the caller falls back to a file store).
 */
export function daemonSocketFor(env: NodeJS.ProcessEnv): string | undefined {
  if (env.VIGIL_SOCKET) return env.VIGIL_SOCKET;
  return existsSync(DEFAULT_SOCKET) ? DEFAULT_SOCKET : undefined;
}

export async function openDaemonStore(socket: string): Promise<DaemonStore> {
  const client: DaemonClient = await connect(socket);
  try {
    const listed = (await client.request({ op: 'attr.list' })) as { self?: unknown; values?: unknown; pending?: unknown };
    const snapshot = storeFromListing(listed);
    const self = typeof listed.self === 'string' ? listed.self : '';
    return {
      socket,
      self,
      snapshot,
      push: async (after, nowMs) => {
        const updates = changesBetween(snapshot, after, nowMs);
        if (updates.length > 0) await client.request({ op: 'attr.update', updates });
      },
      close: () => client.close(),
    };
  } catch (err) {
    client.close();
    throw err;
  }
}

function storeFromListing(listed: { values?: unknown; pending?: unknown }): AttributeStore {
  const store = emptyStore();
  const values = store.values as Record<AttributeScope, Record<string, Record<string, string>>>;
  const given = listed.values;
  if (typeof given !== 'object' || given === null) throw new DaemonError('vigild sent no attribute values', 70);
  for (const scope of SCOPES) {
    for (const [node, attrs] of Object.entries(((given as Record<string, unknown>)[scope] ?? {}) as Record<string, unknown>)) {
      if (typeof attrs !== 'object' || attrs === null) continue;
      for (const [name, v] of Object.entries(attrs)) if (typeof v === 'string') (values[scope][node] ??= {})[name] = v;
    }
  }
  const pending = (Array.isArray(listed.pending) ? listed.pending : []).filter(
    (p): p is PendingWrite => typeof p === 'object' && p !== null && typeof (p as PendingWrite).node === 'string' && typeof (p as PendingWrite).name === 'string' && typeof (p as PendingWrite).dueMs === 'number',
  );
  return { values, pending };
}

/** The attr.update list that turns `before` into `after`: changed values, and new dampened writes. */
export function changesBetween(before: AttributeStore, after: AttributeStore, nowMs: number): AttrUpdate[] {
  const out: AttrUpdate[] = [];
  const dampened = new Set(after.pending.map((p) => `${p.node}\0${p.name}`));
  for (const scope of SCOPES) {
    const nodes = new Set([...Object.keys(before.values[scope]), ...Object.keys(after.values[scope])]);
    for (const node of nodes) {
      const a = before.values[scope][node] ?? {};
      const b = after.values[scope][node] ?? {};
      for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (a[name] === b[name] || (scope === 'transient' && dampened.has(`${node}\0${name}`))) continue;
        const target = scope === 'cluster' ? {} : { node };
        out.push({ name, scope, ...target, value: b[name] ?? null });
      }
    }
  }
  for (const p of after.pending) {
    const was = before.pending.find((q) => q.node === p.node && q.name === p.name);
    if (was && was.value === p.value) continue;
    out.push({ name: p.name, node: p.node, scope: 'transient', value: p.value ?? null, dampenMs: Math.max(1, p.dueMs - nowMs) });
  }
  return out;
}

