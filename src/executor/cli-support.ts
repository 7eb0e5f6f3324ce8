import { hostname } from 'node:os';
import { childrenNamed, firstChild, type XmlElement } from '../cib/xml.js';
import { readCibStore, updateCibStore } from '../attributes/io/cib-store.js';
import { readStoreFile, updateStoreFile } from '../attributes/io/file-store.js';
import type { AttributeStore } from '../attributes/store.js';
import { agentSpecFrom } from './agent-spec.js';
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

function nvpairs(parent: XmlElement, setName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of childrenNamed(parent, setName)) {
    // Sets guarded by rules depend on time and node: taking them blindly would run the agent with values that may not apply.
    if (firstChild(set, 'rule')) continue;
    for (const nv of childrenNamed(set, 'nvpair')) if (nv.attrs.name !== undefined && nv.attrs.value !== undefined) out[nv.attrs.name] = nv.attrs.value;
  }
  return out;
}

/** Pacemaker durations: `20s`, `2min`, `500ms`, `1h`, bare numbers are seconds; ISO 8601 `PT20S` too. */
export function parseDurationMs(text: string): number {
  const t = text.trim();
  const iso = /^P(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)$/i.exec(t);
  if (iso && (iso[1] || iso[2] || iso[3])) return ((Number(iso[1] ?? 0) * 60 + Number(iso[2] ?? 0)) * 60 + Number(iso[3] ?? 0)) * 1000;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?$/i.exec(t);
  if (!m) throw new ResourceLookupError(`'${text}' is not a duration (e.g. 20s, 500ms, 2min)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' || unit === 'msec' ? 1 : unit === 'm' || unit === 'min' ? 60_000 : unit === 'h' || unit === 'hr' ? 3_600_000 : 1000;
  return Math.round(n * factor);
}

/** Finds a primitive by id anywhere under resources (inside groups, clones, bundles), with its parents' meta. */
export function findConfiguredResource(cib: XmlElement, id: string): ConfiguredResource {
  const resources = firstChild(firstChild(cib, 'configuration') ?? cib, 'resources');
  const search = (el: XmlElement, inherited: Record<string, string>): ConfiguredResource | undefined => {
    for (const child of el.children) {
      if (child.name === 'primitive' && child.attrs.id === id) {
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

/** Where `vigil node attribute` and `vigil resource failcount` keep attributes when run by hand. */
export interface AttributeAccess {
  describe: string;
  read(): AttributeStore;
  update(change: (s: AttributeStore) => AttributeStore): AttributeStore;
}

export function attributeAccess(opts: { cib?: string; stateDir?: string }): AttributeAccess {
  const stateDir = opts.stateDir ?? (opts.cib ? undefined : process.env.VIGIL_STATE_DIR);
  if (stateDir) {
    return { describe: `state directory ${stateDir}`, read: () => readStoreFile(stateDir, Date.now()), update: (c) => updateStoreFile(stateDir, Date.now(), c) };
  }
  const cib = opts.cib ?? process.env.CIB_file;
  if (cib) return { describe: `CIB file ${cib}`, read: () => readCibStore(cib, Date.now()), update: (c) => updateCibStore(cib, Date.now(), c) };
  throw new ResourceLookupError('no attribute store: give --cib FILE or --state-dir DIR (or set CIB_file / VIGIL_STATE_DIR)');
}

export const localNodeName = (): string => process.env.VIGIL_NODE_NAME || hostname();
