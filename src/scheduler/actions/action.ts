import type { Node, Resource } from '../model.js';

/** One action while the scheduler is still deciding; becomes a GraphAction when kept. */
export interface Act {
  seq: number;
  key: string;
  task: string;
  rsc?: Resource;
  node?: Node;
  pseudo: boolean;
  kind: 'resource' | 'pseudo' | 'fence' | 'cluster';
  optional: boolean;
  runnable: boolean;
  /** Why it became required or unrunnable, for summary reasons. */
  requiredBy?: string;
  unrunnableBy?: string;
  intervalMs: number;
  /** Pseudo actions that only exist while some child action is in the graph. */
  collectiveOf?: Resource;
  /** A collective's running that will not happen because it is being stopped on purpose. */
  stopping?: boolean;
  fenceAction?: string;
  fenceReason?: string;
  /** Stands for a recurring operation the history records: Pacemaker created it while unpacking, before every other action of its resource. */
  recorded?: boolean;
  /** A cancel: the task of the recurring operation it stops. */
  cancels?: string;
  /** The result that counts as success when not 0 (7 for a monitor of the Stopped role). */
  targetRc?: number;
}

/** `one_or_more`: the then action stays runnable while any of its `one_or_more` firsts is. */
export type EdgeKind = 'implies_then' | 'implies_first' | 'runnable' | 'order' | 'symmetric' | 'one_or_more';

export interface Edge {
  first: Act;
  then: Act;
  /** Propagations this edge carries besides ordering (shared between edges: see edgeFlags). */
  flags: ReadonlySet<EdgeKind>;
  /** Name used in reasons: `rsc1 start`, `clone running`. */
  label: string;
}

const flagSets = new Map<string, ReadonlySet<EdgeKind>>();

/** The one set for these flags: a big plan has tens of thousands of edges with a handful of distinct flag sets. */
export function edgeFlags(kinds: Iterable<EdgeKind>): ReadonlySet<EdgeKind> {
  const set = new Set(kinds);
  const key = [...set].sort().join(' ');
  const shared = flagSets.get(key);
  if (shared) return shared;
  flagSets.set(key, set);
  return set;
}

/** Appends a required, runnable, one-off action to `acts`: its position is its creation order (`seq`). */
export function appendAct(acts: Act[], init: Pick<Act, 'key' | 'task' | 'kind'> & Partial<Act>): Act {
  const a: Act = { seq: acts.length, pseudo: false, optional: false, runnable: true, intervalMs: 0, ...init };
  acts.push(a);
  return a;
}
