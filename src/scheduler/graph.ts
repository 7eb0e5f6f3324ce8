/**
 * The transition graph: what the scheduler decides and the controller carries out. Plain data,
 * so it crosses a worker-thread boundary and can be saved (-G) and replayed.
 */

/** The resource an action runs on, with everything the executor needs to run its agent. */
export interface ActionResource {
  /** Id as the node's history knows it: `rsc`, or `clone-child:2` for a clone instance. */
  id: string;
  /** Id of the configured primitive, without instance suffix. */
  configId: string;
  agentClass: string;
  provider?: string;
  type: string;
  /** Instance attributes (OCF_RESKEY_*), already evaluated for the target node. */
  params: Record<string, string>;
  /** Meta attributes the agent sees as OCF_RESKEY_CRM_meta_* (clone, notify, timeout ...). */
  meta: Record<string, string>;
}

interface ActionBase {
  id: number;
  /** Ids of the actions that must be confirmed before this one may run. */
  inputs: number[];
}

/** An operation of a resource agent on one node: start, stop, monitor (probe when interval 0) ... */
export interface ResourceAction extends ActionBase {
  kind: 'resource';
  /** Pacemaker's operation key: `RSC_TASK_INTERVALMS`, e.g. `vip_monitor_10000`. */
  key: string;
  task: string;
  node: string;
  resource: ActionResource;
  intervalMs: number;
  timeoutMs: number;
  /** A cancel: the task of the recurring operation it stops. */
  cancels?: string;
  /** The result that counts as success when not 0 (7 for a monitor of the Stopped role). */
  targetRc?: number;
}

/** A synchronisation point with no work of its own (`grp_running_0`, `clone_confirmed-post_notify_stopped_0`). */
export interface PseudoAction extends ActionBase {
  kind: 'pseudo';
  key: string;
  /** The node a pseudo fencing (a guest's) stands for; printed by crm_simulate. */
  fencedNode?: string;
}

export interface FenceAction extends ActionBase {
  kind: 'fence';
  node: string;
  fenceAction: 'reboot' | 'off' | 'on';
  reason: string;
}

/** Work of the cluster itself on a node: a clean shutdown, or clearing a fail count. */
export interface ClusterAction extends ActionBase {
  kind: 'cluster';
  task: 'do_shutdown' | 'clear_failcount' | 'lrm_delete';
  node: string;
  resourceId?: string;
}

export type GraphAction = ResourceAction | PseudoAction | FenceAction | ClusterAction;

export interface TransitionGraph {
  /** Actions in synapse order: the order crm_simulate walks them in each pass. */
  actions: GraphAction[];
}
