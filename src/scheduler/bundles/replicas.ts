/**
 * Bundle replicas once the resources a bundle stands for are unpacked: which primitives belong to
 * which replica, the history fix-ups that make instance N the one in replica N, and the order in
 * which Pacemaker lists a bundle's resources (replica by replica: address, container, connection,
 * instance).
 */
import type { Clone, NodeHistory, Primitive, Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import { BUNDLE_META, REPLICA_META } from './expand.js';

/** The bundle a primitive was generated for, and its replica, if any. */
export function replicaOf(p: Primitive, byId: Map<string, Primitive>): { bundle: string; replica: number } | undefined {
  const direct = p.meta.get(BUNDLE_META);
  const replica = p.meta.get(REPLICA_META);
  if (direct !== undefined && replica !== undefined) return { bundle: direct, replica: Number(replica) };
  // A guest connection belongs to the replica of its container.
  const container = p.meta.get('container');
  if (container !== undefined) {
    const c = byId.get(container);
    if (c && c !== p) return replicaOf(c, byId);
  }
  const clone = p.parent?.kind === 'clone' ? p.parent : undefined;
  const bundle = clone?.meta.get(BUNDLE_META);
  if (clone && bundle !== undefined) return { bundle, replica: clone.instances.indexOf(p) };
  return undefined;
}

function replicaNode(bundle: string, i: number): string {
  return `${bundle}-${i}`;
}

/**
 * Instance N of a bundle's primitive is the one in replica N's guest node: histories read
 * anonymously are moved to the instance of the replica they were found in. The generated
 * resources' parameters are the bundle's to derive, so their recorded digests are not compared.
 */
export function settleBundles(resources: Resource[]): void {
  const prims = resources.flatMap(primitivesOf);
  const byId = new Map(prims.map((p) => [p.id, p]));
  for (const p of prims) {
    if (replicaOf(p, byId) === undefined || p.parent?.kind === 'clone') continue;
    for (const h of p.history.values()) {
      h.definitionChanged = false;
      h.reload = false;
      h.rescheduled = undefined;
    }
  }
  for (const r of resources) {
    if (r.kind !== 'clone' || r.meta.get(BUNDLE_META) === undefined) continue;
    placeHistories(r, r.meta.get(BUNDLE_META) as string);
  }
}

function placeHistories(clone: Clone, bundle: string): void {
  const insts = clone.instances.filter((i): i is Primitive => i.kind === 'primitive');
  const all = new Map<string, NodeHistory>();
  const probed = new Set<string>();
  for (const p of insts) {
    for (const [node, h] of p.history) all.set(node, h);
    for (const n of p.probed) probed.add(n);
  }
  insts.forEach((p, i) => {
    const node = replicaNode(bundle, i);
    p.history = new Map();
    const h = all.get(node);
    if (h) p.history.set(node, h);
    p.probed = new Set([...probed].filter((n) => n === node || !n.startsWith(`${bundle}-`)));
    all.delete(node);
  });
  // What is left ran on members or elsewhere: it stays with the first instance, to be stopped.
  for (const [node, h] of all) insts[0]?.history.set(node, h);
}

/** Primitives in summary order: a bundle's replicas together, where the bundle's first resource stands. */
export function summaryOrder(prims: Primitive[]): Primitive[] {
  const byId = new Map(prims.map((p) => [p.id, p]));
  const groups = new Map<string, Primitive[][]>();
  for (const p of prims) {
    const r = replicaOf(p, byId);
    if (!r) continue;
    const g = groups.get(r.bundle) ?? [];
    (g[r.replica] ??= []).push(p);
    groups.set(r.bundle, g);
  }
  const rank = (p: Primitive): number => {
    if (p.meta.get('remote-node') !== undefined) return 1;
    if (p.type === 'remote' && p.provider === 'pacemaker') return 2;
    if (p.parent?.kind === 'clone') return 3;
    return 0;
  };
  const out: Primitive[] = [];
  const done = new Set<string>();
  for (const p of prims) {
    const r = replicaOf(p, byId);
    if (!r) {
      out.push(p);
      continue;
    }
    if (done.has(r.bundle)) continue;
    done.add(r.bundle);
    for (const replica of groups.get(r.bundle) ?? []) out.push(...(replica ?? []).sort((a, b) => rank(a) - rank(b)));
  }
  return out;
}
