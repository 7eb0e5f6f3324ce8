/**
 * The notify meta attributes of a clone's notify action, under both the Pacemaker 1.x names
 * (master/slave, read by drbd and pgsql) and the 2.1 ones (promoted/unpromoted).
 */
export interface NotifyInfo {
  type: 'pre' | 'post';
  operation: 'start' | 'stop' | 'promote' | 'demote';
  /** Instances (resource id and node) per category. */
  start: Instance[];
  stop: Instance[];
  promote: Instance[];
  demote: Instance[];
  active: Instance[];
  inactive: Instance[];
  promoted: Instance[];
  unpromoted: Instance[];
  /** Every cluster node, and the nodes where the clone may run. */
  allNodes: string[];
  availableNodes: string[];
  /** Node name → physical host, for bundles (notify_all_hosts). */
  hosts?: Record<string, string>;
}

export interface Instance {
  resource: string;
  node: string;
}

const join = (xs: string[]): string => xs.join(' ');

/** Meta names as given in OperationRequest.meta; the environment builder adds the CRM_meta_ prefix. */
export function notifyMeta(n: NotifyInfo): Record<string, string> {
  const meta: Record<string, string> = { notify_type: n.type, notify_operation: n.operation };
  const put = (category: string, list: Instance[]): void => {
    meta[`notify_${category}_resource`] = join(list.map((i) => i.resource));
    meta[`notify_${category}_uname`] = join(list.map((i) => i.node));
  };
  put('start', n.start);
  put('stop', n.stop);
  put('promote', n.promote);
  put('demote', n.demote);
  put('active', n.active);
  put('inactive', n.inactive);
  put('promoted', n.promoted);
  put('unpromoted', n.unpromoted);
  put('master', n.promoted);
  put('slave', n.unpromoted);
  meta.notify_all_uname = join(n.allNodes);
  meta.notify_all_hosts = join(n.allNodes.map((node) => n.hosts?.[node] ?? node));
  meta.notify_available_uname = join(n.availableNodes);
  return meta;
}
