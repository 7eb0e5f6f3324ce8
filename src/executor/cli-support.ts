import { hostname } from 'node:os';
import { childrenNamed, firstChild, type XmlElement } from '../cib/xml.js';
import { readCibStore, updateCibStore } from '../attributes/io/cib-store.js';
import { openDaemonStore, type DaemonStore } from '../attributes/io/daemon-store.js';
import { readStoreFile, updateStoreFile } from '../attributes/io/file-store.js';
import { DaemonError, socketPath } from '../daemon/client.js';
import type { AttributeStore } from '../attributes/store.js';
import { agentSpecFrom } from './agent-spec.js';
import { DurationError, parseDurationMs } from './duration.js';
import type { AgentSpec } from './types.js';

/** A resource as `vigil resource op` needs it from the CIB: agent, params, meta, op timeouts. */
export interface ConfiguredResource {
  id: string;
  agent: AgentSpec;
  params: Record<string, string>;
  meta: Record<string, string>;
  ops: { name: string; intervalMs: number; timeoutMs?: number; params: Record<string, string> }[];
}

export class ResourceLookupError extends Error {
  override name = 'ResourceLookupError';
}

export { DurationError, parseDurationMs };

function nvpairs(parent: XmlElement, setName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of childrenNamed(parent, setName)) {
    // Sets guarded by rules depend on time and node: taking them blindly would run the agent with values that may not apply.
    if (firstChild(set, 'rule')) continue;
    for (const nv of childrenNamed(set, 'nvpair')) if (nv.attrs.name !== undefined && nv.attrs.value !== undefined) out[nv.attrs.name] = nv.attrs.value;
  }
  return out;
}

/** Finds a primitive by id anywhere under resources (inside groups, clones, bundles), with its parents' meta. */
export function findConfiguredResource(cib: XmlElement, id: string): ConfiguredResource {
  const resources = firstChild(firstChild(cib, 'configuration') ?? cib, 'resources');
  const search = (el: XmlElement, inherited: Record<string, string>): ConfiguredResource | undefined => {
    for (const child of el.children) {
      if (child.name === 'primitive' && child.attrs.id === id) {
        if (!child.attrs.class || !child.attrs.type) {
          throw new ResourceLookupError(`primitive '${id}' names no agent class and type${child.attrs.template ? ` (it uses template '${child.attrs.template}', which vigil resource op does not expand)` : ''}`);
        }
        const ops = firstChild(child, 'operations');
        return {
          id,
          agent: agentSpecFrom(child.attrs.class ?? '', child.attrs.provider, child.attrs.type ?? ''),
          params: nvpairs(child, 'instance_attributes'),
          meta: { ...inherited, ...nvpairs(child, 'meta_attributes') },
          ops: (ops ? childrenNamed(ops, 'op') : []).map((op) => ({
            name: op.attrs.name ?? '',
            intervalMs: op.attrs.interval ? parseDurationMs(op.attrs.interval) : 0,
            timeoutMs: op.attrs.timeout ? parseDurationMs(op.attrs.timeout) : undefined,
            params: nvpairs(op, 'instance_attributes'),
          })),
        };
      }
      if (['group', 'clone', 'master', 'bundle'].includes(child.name)) {
        const found = search(child, { ...inherited, ...nvpairs(child, 'meta_attributes') });
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = resources ? search(resources, {}) : undefined;
  if (!found) throw new ResourceLookupError(`no primitive resource '${id}' in the CIB`);
  return found;
}

/** Where `vigil node attribute` and `vigil resource failcount` keep attributes. */
export interface AttributeAccess {
  describe: string;
  read(): Promise<AttributeStore>;
  /** Resolves with the store as changed (for the live cluster: once every node holds it). */
  update(change: (s: AttributeStore) => AttributeStore): Promise<AttributeStore>;
}

/**
 * A file when one is named (--state-dir, --cib, $CIB_file, $VIGIL_STATE_DIR, in that order),
 * else the live cluster through the local vigild (--socket, $VIGIL_SOCKET, the default socket).
 */
export function attributeAccess(opts: { cib?: string; stateDir?: string; socket?: string }): AttributeAccess {
  const stateDir = opts.stateDir ?? (opts.cib || process.env.CIB_file ? undefined : process.env.VIGIL_STATE_DIR);
  if (stateDir) {
    return {
      describe: `state directory ${stateDir}`,
      read: async () => readStoreFile(stateDir, Date.now()),
      update: async (c) => updateStoreFile(stateDir, Date.now(), c),
    };
  }
  const cib = opts.cib ?? process.env.CIB_file;
  if (cib) return { describe: `CIB file ${cib}`, read: async () => readCibStore(cib, Date.now()), update: async (c) => updateCibStore(cib, Date.now(), c) };
  const socket = socketPath(opts.socket);
  const open = async (): Promise<DaemonStore> => {
    try {
      return await openDaemonStore(socket);
    } catch (err) {
      if (err instanceof DaemonError && err.code === 69) {
        throw new ResourceLookupError(`${err.message}; to work offline give --cib FILE or --state-dir DIR (or set CIB_file / VIGIL_STATE_DIR)`);
      }
      throw err;
    }
  };
  return {
    describe: `the live cluster (vigild at ${socket})`,
    read: async () => {
      const store = await open();
      store.close();
      return store.snapshot;
    },
    update: async (change) => {
      const store = await open();
      try {
        const after = change(store.snapshot);
        await store.push(after, Date.now());
        return after;
      } finally {
        store.close();
      }
    },
  };
}

export const localNodeName = (): string => process.env.VIGIL_NODE_NAME || hostname();
