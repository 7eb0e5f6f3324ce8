/**
 * The plain-data view of a cluster that every status printer (crm_simulate's
 * status blocks, crm_mon text and XML, `--output-as json`, the web console)
 * is drawn from. Everything here is JSON-serialisable: no Maps, no cycles,
 * nodes are referred to by name.
 */

export type NodeType = 'member' | 'remote' | 'guest' | 'ping';

/** Health colour from `#health*` node attributes; `green` when no strategy is set. */
export type NodeHealth = 'green' | 'yellow' | 'red';

export interface NodeView {
  readonly name: string;
  readonly id: string;
  readonly type: NodeType;
  readonly online: boolean;
  readonly unclean: boolean;
  readonly pending: boolean;
  readonly standby: boolean;
  /** Standby forced by a failure with on-fail=standby. */
  readonly standbyOnFail: boolean;
  readonly maintenance: boolean;
  readonly shutdown: boolean;
  readonly expectedUp: boolean;
  readonly health: NodeHealth;
  readonly isDc: boolean;
  /** The controller feature set the node reports (`#feature-set`), if any. */
  readonly featureSet?: string;
  /** Number of primitives the history shows active there. */
  readonly resourcesRunning: number;
  /** For a guest node: the resource that contains it. */
  readonly container?: string;
  /** Why the node must be fenced, when it is unclean. */
  readonly fenceReason?: string;
}

export type Role = 'Stopped' | 'Started' | 'Unpromoted' | 'Promoted';

export interface ResourceFlags {
  readonly managed: boolean;
  readonly failed: boolean;
  readonly blocked: boolean;
  readonly orphaned: boolean;
  readonly failureIgnored: boolean;
  /** The resource's own (or inherited) target-role is Stopped. */
  readonly disabled: boolean;
  /** maintenance=true on the resource or cluster-wide maintenance-mode. */
  readonly maintenance: boolean;
}

export interface PrimitiveView extends ResourceFlags {
  readonly kind: 'primitive';
  /** Full instance id (`rsc:2` inside a clone). */
  readonly id: string;
  /** Id as printed: anonymous clone instances print their base name. */
  readonly displayName: string;
  /** `class:provider:type` or `class:type`. */
  readonly agent: string;
  /** Highest role seen across nodes, as the history gives it. */
  readonly role: Role;
  /** Role to display: Started inside a promotable clone displays as Unpromoted. */
  readonly displayRole: Role;
  /** Nodes where the history shows it active, in the order found. */
  readonly runningOn: readonly string[];
  readonly multiplyActive: boolean;
  /** Active as crm_mon counts it: on a node that is up, or unclean, or unmanaged anywhere. */
  readonly active: boolean;
  readonly targetRole?: string;
  /** An action in flight: `start`, `stop`, `migrate_to`, `monitor`, ... */
  readonly pendingTask?: string;
  /** Node the first pending action runs on. */
  readonly pendingNode?: string;
  /** Node the resource is shutdown-locked to. */
  readonly lockedTo?: string;
  /** Failed probe result per node ('not installed', 'invalid parameter'). */
  readonly failedProbes: readonly { readonly node: string; readonly result: string }[];
}

export interface GroupView extends ResourceFlags {
  readonly kind: 'group';
  readonly id: string;
  /** Nodes where some member is active (the group's running list). */
  readonly runningOn: readonly string[];
  readonly children: readonly PrimitiveView[];
}

export interface CloneView extends ResourceFlags {
  readonly kind: 'clone';
  readonly id: string;
  /** Id of the cloned primitive or group as configured. */
  readonly childId: string;
  readonly promotable: boolean;
  readonly unique: boolean;
  readonly cloneMax: number;
  /** Clone's own target-role. */
  readonly targetRole?: string;
  /** The clone's target-role, else its first instance's: what its summary lines are labelled by. */
  readonly configuredRole?: string;
  readonly instances: readonly (PrimitiveView | GroupView)[];
  /** Nodes an instance could be listed as stopped on, sorted. */
  readonly candidateNodes: readonly string[];
  /** Nodes where some instance is active (the clone's running list). */
  readonly runningOn: readonly string[];
}

export interface BundleReplicaView {
  readonly index: number;
  readonly ip?: string;
  /** The replica's container primitive (docker/podman/rkt). */
  readonly container: PrimitiveView;
  /** The bundled primitive's instance in this replica, if the bundle has one. */
  readonly child?: PrimitiveView;
  /** The replica's remote connection, when it has a bundled primitive. */
  readonly remote?: PrimitiveView;
  readonly ipResource?: PrimitiveView;
}

export interface BundleView extends ResourceFlags {
  readonly kind: 'bundle';
  readonly id: string;
  readonly image: string;
  readonly unique: boolean;
  readonly runningOn: readonly string[];
  readonly replicas: readonly BundleReplicaView[];
}

export type ResourceView = PrimitiveView | GroupView | CloneView | BundleView;

export interface FailedActionView {
  /** Resource id as recorded in the history. */
  readonly resource: string;
  readonly operationKey: string;
  readonly task: string;
  readonly intervalMs: number;
  readonly node: string;
  readonly rc: number;
  readonly rcText: string;
  readonly status: number;
  readonly statusText: string;
  readonly callId: number;
  readonly exitReason?: string;
  /** Epoch seconds. */
  readonly lastRcChange?: number;
  readonly execTimeMs?: number;
  readonly queueTimeMs?: number;
}

export interface FencingEventView {
  readonly target: string;
  readonly action: string;
  readonly state: string;
  readonly delegate?: string;
  readonly origin?: string;
  /** Epoch seconds. */
  readonly completed?: number;
}

export interface ClusterSummaryView {
  readonly stack?: string;
  readonly dcName?: string;
  readonly dcVersion?: string;
  readonly haveQuorum: boolean;
  readonly clusterName?: string;
  readonly lastChange?: { readonly when?: string; readonly user?: string; readonly client?: string; readonly origin?: string };
  /** Epoch milliseconds of "now" as passed in, if any. */
  readonly lastUpdated?: number;
  readonly nodesConfigured: number;
  readonly resourceInstancesConfigured: number;
  readonly disabledInstances: number;
  readonly blockedInstances: number;
  readonly stonithEnabled: boolean;
  readonly symmetricCluster: boolean;
  readonly noQuorumPolicy: string;
  readonly maintenanceMode: boolean;
  readonly stopAllResources: boolean;
  readonly stonithTimeoutMs: number;
  readonly priorityFencingDelayMs: number;
}

export interface ClusterStatusView {
  readonly summary: ClusterSummaryView;
  /** In display order (names compared with embedded numbers as numbers). */
  readonly nodes: readonly NodeView[];
  /** Top-level resources in allocation order: priority descending, then configuration order. */
  readonly resources: readonly ResourceView[];
  readonly failures: readonly FailedActionView[];
  readonly fencing: readonly FencingEventView[];
  /** Things in the CIB this view does not interpret, so a reader knows what may be missing. */
  readonly unsupported: readonly string[];
}
