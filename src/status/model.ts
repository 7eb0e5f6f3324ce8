import type { XmlElement } from '../cib/xml.js';
import type { NodeType } from './types.js';

/**
 * The working state built while reading a CIB. It is mutable because the
 * status history is replayed onto it op by op; the exported view is a frozen
 * plain-data copy made at the end (view.ts).
 */

/** Roles in Pacemaker's order, so "higher role" comparisons are numeric. */
export const RoleRank = { Unknown: 0, Stopped: 1, Started: 2, Unpromoted: 3, Promoted: 4 } as const;
export type RoleRank = (typeof RoleRank)[keyof typeof RoleRank];

/** on-fail responses; the numeric order is the severity used when several failures compete. */
export type OnFail =
  | 'ignore'
  | 'demote'
  | 'recover'
  | 'reset-remote'
  | 'restart-container'
  | 'migrate'
  | 'block'
  | 'stop'
  | 'standby'
  | 'fence';

const SEVERITY: Record<OnFail, number> = {
  ignore: 0,
  demote: 1,
  recover: 2,
  'reset-remote': 3,
  'restart-container': 4,
  migrate: 5,
  block: 6,
  stop: 7,
  standby: 8,
  fence: 9,
};

export function moreSevere(a: OnFail, b: OnFail): boolean {
  return SEVERITY[a] > SEVERITY[b];
}

export interface MNode {
  readonly name: string;
  readonly id: string;
  type: NodeType;
  readonly attrs: Map<string, string>;
  online: boolean;
  unclean: boolean;
  unseen: boolean;
  pending: boolean;
  standby: boolean;
  standbyOnFail: boolean;
  maintenance: boolean;
  shutdown: boolean;
  expectedUp: boolean;
  unpacked: boolean;
  remoteWasFenced: boolean;
  /** A remote or guest node whose connection must be reset (fenced) before it is trusted again. */
  remoteRequiresReset: boolean;
  /**
   * Not among the nodes every resource may run on (Pacemaker's allowed nodes):
   * bundle nodes (resource discovery never), and nodes that appeared only
   * through an orphaned connection after resources were read.
   */
  outsideAllowedNodes: boolean;
  fenceReason?: string;
  /** Connection resource of a remote or guest node. */
  remoteRsc?: MResource;
  runningRsc: MResource[];
}

export type ResourceKind = 'primitive' | 'group' | 'clone' | 'bundle';

export interface OpDef {
  readonly name: string;
  readonly intervalMs: number;
  readonly role?: string;
  readonly onFail?: string;
}

export interface MResource {
  readonly kind: ResourceKind;
  /** Instance id (`rsc:1` for clone instances). */
  readonly id: string;
  /** Id as configured (base name for clone instances). */
  readonly xmlId: string;
  readonly parent?: MResource;
  readonly children: MResource[];
  readonly meta: Map<string, string>;
  readonly cls: string;
  readonly provider?: string;
  readonly type: string;
  readonly ops: readonly OpDef[];
  readonly configIndex: number;
  readonly priority: number;
  unique: boolean;
  readonly promotable: boolean;
  /** Clone instances created for a clone so far; orphans are numbered after them. */
  instanceCount: number;
  cloneMax: number;
  cloneChildXml?: XmlElement;
  managed: boolean;
  maintenance: boolean;
  blocked: boolean;
  failed: boolean;
  orphan: boolean;
  failureIgnored: boolean;
  role: RoleRank;
  nextRoleStopped: boolean;
  runningOn: MNode[];
  knownOn: Set<string>;
  /** Nodes a location preference was recorded for while reading history (hard failures). */
  locationNodes: Set<string>;
  pendingTask?: string;
  pendingNode?: MNode;
  lockNode?: MNode;
  /** History id this instance was matched with (anonymous clones). */
  cloneName?: string;
  /** Container resource of a guest node connection (remote-node meta or bundle replica). */
  container?: MResource;
  /** Orphaned history carrying a `container` attribute: linked to that container once histories are read. */
  containerFillerOf?: string;
  /** Node this primitive is the connection of. */
  isRemoteConnectionFor?: string;
  /** Bundle replica data, when kind === 'bundle'. */
  bundle?: BundleData;
  partialMigrationSource?: MNode;
  partialMigrationTarget?: MNode;
}

export interface BundleReplica {
  readonly index: number;
  readonly ip?: string;
  readonly container: MResource;
  readonly ipRsc?: MResource;
  readonly remote?: MResource;
  child?: MResource;
  readonly nodeName?: string;
}

export interface BundleData {
  readonly image: string;
  readonly replicas: BundleReplica[];
  /** The internal clone that holds the bundled primitive's instances. */
  childClone?: MResource;
}

export function newResource(init: {
  kind: ResourceKind;
  id: string;
  xmlId: string;
  parent?: MResource;
  meta: Map<string, string>;
  cls?: string;
  provider?: string;
  type?: string;
  ops?: readonly OpDef[];
  configIndex: number;
  priority: number;
  unique: boolean;
  promotable: boolean;
}): MResource {
  return {
    kind: init.kind,
    id: init.id,
    xmlId: init.xmlId,
    ...(init.parent ? { parent: init.parent } : {}),
    children: [],
    meta: init.meta,
    cls: init.cls ?? '',
    ...(init.provider !== undefined ? { provider: init.provider } : {}),
    type: init.type ?? '',
    ops: init.ops ?? [],
    configIndex: init.configIndex,
    priority: init.priority,
    unique: init.unique,
    promotable: init.promotable,
    instanceCount: 0,
    cloneMax: 0,
    managed: true,
    maintenance: false,
    blocked: false,
    failed: false,
    orphan: false,
    failureIgnored: false,
    role: RoleRank.Stopped,
    nextRoleStopped: false,
    runningOn: [],
    knownOn: new Set(),
    locationNodes: new Set(),
  };
}

/** The outermost collective, stopping below a bundle (a bundle's clone is its children's top). */
export function topParent(r: MResource): MResource {
  let t = r;
  while (t.parent && t.parent.kind !== 'bundle') t = t.parent;
  return t;
}

export function isAnonClone(r: MResource | undefined): boolean {
  return r !== undefined && r.kind === 'clone' && !r.unique;
}

/** Every primitive under `r` (itself if a primitive), in configuration order. */
export function primitivesOf(r: MResource): MResource[] {
  if (r.kind === 'primitive') return [r];
  return r.children.flatMap(primitivesOf);
}
