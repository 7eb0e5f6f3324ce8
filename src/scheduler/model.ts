/**
 * The scheduler's working model: nodes and the resource tree built from one CIB, with the
 * history-derived current state and, after assignment, the next state. Built fresh by every
 * schedule() call, so mutation inside one run never leaks between runs.
 */

export type Role = 'Stopped' | 'Started' | 'Unpromoted' | 'Promoted';

export type NodeKind = 'member' | 'remote' | 'guest';

export interface Node {
  id: string;
  uname: string;
  kind: NodeKind;
  /** Index in the configuration, for stable tie-breaks that Pacemaker takes from node order. */
  index: number;
  online: boolean;
  unclean: boolean;
  pending: boolean;
  /**
   * Pending while already in the cluster membership: resources must be probed there before they
   * start anywhere, and those probes cannot run until it joins, so such starts are held up.
   */
  joining: boolean;
  standby: boolean;
  /** Standby forced by an on-fail=standby failure. */
  standbyOnFail: boolean;
  maintenance: boolean;
  shutdown: boolean;
  /** Has a node_state entry at all. */
  seen: boolean;
  fenceReason?: string;
  /** A guest node: the resource it runs in, and whether it must be "fenced" by recovering that resource. */
  guest?: { container: string; reset: boolean };
  attrs: Map<string, string>;
  utilization: Map<string, number>;
  /** Resources assigned here in this run, for spreading. */
  assignedCount: number;
  /** Utilization still free after this run's assignments. */
  freeUtilization: Map<string, number>;
}

export interface OpDef {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  role?: Role;
  enabled: boolean;
  onFail?: string;
  /** The op's own instance attributes: given to the agent for this op only, over the resource's. */
  params: ReadonlyMap<string, string>;
}

export type OnFail = 'ignore' | 'block' | 'stop' | 'restart' | 'standby' | 'fence' | 'demote';

/** What one node's history says about one primitive. */
export interface NodeHistory {
  node: Node;
  role: Role;
  failed: boolean;
  /** on-fail behaviour of the failure that is still effective, when failed. */
  onFail?: OnFail;
  pendingTask?: string;
  /** A stop failed here: the node must be fenced, or the resource blocks. */
  stopFailed: boolean;
  /** Recurring ops recorded as active (interval ms → task), to cancel when no longer wanted. */
  recurring: Map<number, { task: string; role?: Role }>;
  /** Recurring operations the node's executor still runs (whatever they found), by its history. */
  activeOps: { task: string; intervalMs: number }[];
  /** The history's last successful stop came after its last start. */
  stoppedInHistory: boolean;
  /** Partial migration: migrate_to succeeded here towards `migrateTarget`. */
  migrateTarget?: string;
  migrateSource?: string;
  /** The history carries no op-digest, or a different one: parameters changed. */
  definitionChanged: boolean;
  /** The history was made by another agent (class, provider or type) than configured. */
  agentChanged?: boolean;
  /** The history was made by another agent than configured, whether or not it runs: it is deleted. */
  otherAgent: boolean;
  /** The earliest last-rc-change recorded, when any: failure-timeout expiry counts from it. */
  earliestChange?: number;
  /** Only parameters the agent can reload changed: reload in place rather than restart. */
  reload?: boolean;
  /** Intervals of recurring ops recorded with another definition than configured: issued again. */
  rescheduled?: ReadonlySet<number>;
  /** A failure here was ignored (on-fail=ignore): then migration-threshold does not apply. */
  failureIgnored?: boolean;
  /** The last migrate_to from here, when only monitors followed it. */
  migration?: { target: string; ok: boolean; at: number };
  /** The source of a successful migrate_from here, when only monitors followed it. */
  migratedFrom?: string;
  /** The latest last-rc-change of the operations recorded here. */
  lastChange?: number;
  /** Migrated away (migrate_to and migrate_from both succeeded) with no stop since: stopped here for good. */
  dangling?: boolean;
  /** A resource inside this container failed here: the container restarts (on-fail=restart-container). */
  restartContainer?: boolean;
  notInstalled: boolean;
  /** A failure that bans this node (hard error) whatever the migration-threshold. */
  hardBan: boolean;
  /** A fatal error: the resource may run nowhere. */
  fatal: boolean;
  lastFailure?: { task: string; intervalMs: number };
}

interface ResourceBase {
  id: string;
  parent?: Collective;
  meta: Map<string, string>;
  /** Position among its siblings in the configuration. */
  order: number;
  priority: number;
}

export interface Primitive extends ResourceBase {
  kind: 'primitive';
  /** The configured primitive's id (without `:N`). */
  configId: string;
  cls: string;
  provider?: string;
  type: string;
  params: Map<string, string>;
  ops: OpDef[];
  utilization: Map<string, number>;
  /** Histories per node name. */
  history: Map<string, NodeHistory>;
  /** Nodes that have any history entry for this resource (for probes). */
  probed: Set<string>;
  orphan: boolean;
  /** The lrm_resource id this instance's history was found under (anonymous clones). */
  historyName?: string;
  /** Name actions print: base name when history stores the anonymous clone by it. */
  displayName: string;
}

export interface Group extends ResourceBase {
  kind: 'group';
  children: Primitive[];
}

export interface Clone extends ResourceBase {
  kind: 'clone';
  promotable: boolean;
  unique: boolean;
  /** The configured child: a primitive or group template for the instances. */
  childId: string;
  instances: (Primitive | Group)[];
  maxInstances: number;
  maxPerNode: number;
  promotedMax: number;
  promotedNodeMax: number;
  interleave: boolean;
  notify: boolean;
  ordered: boolean;
  cloneMin: number;
  /** History kept under the base name somewhere: actions print the base name. */
  baseNameInHistory: boolean;
  /**
   * Anonymous clones: per node name, the instances its history entries were mapped to, running
   * or not; a probe there belongs to the lowest-numbered of them.
   */
  knownOn: Map<string, Set<Primitive | Group>>;
}

export type Collective = Group | Clone;
export type Resource = Primitive | Group | Clone;

export function primitivesOf(r: Resource): Primitive[] {
  if (r.kind === 'primitive') return [r];
  if (r.kind === 'group') return r.children;
  return r.instances.flatMap(primitivesOf);
}

export function topOf(r: Resource): Resource {
  let cur: Resource = r;
  while (cur.parent) cur = cur.parent;
  return cur;
}

export function nodeCanHost(n: Node): boolean {
  return n.online && !n.unclean && !n.pending && !n.standby && !n.standbyOnFail && !n.maintenance && !n.shutdown;
}
