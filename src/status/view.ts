import { firstChild, type XmlElement } from '../cib/xml.js';
import { compareNodeNames, intervalMs, scoreOf } from './attrs.js';
import { RoleRank, primitivesOf, topParent, type MNode, type MResource } from './model.js';
import { parseOpKey, rcText, execStatusText } from './op-text.js';
import { unpackCluster, type UnpackedCluster } from './unpack.js';
import type {
  BundleView,
  CloneView,
  ClusterStatusView,
  FailedActionView,
  FencingEventView,
  GroupView,
  NodeHealth,
  NodeView,
  PrimitiveView,
  ResourceView,
  Role,
} from './types.js';

export interface StatusOptions {
  /** "Now" in epoch milliseconds: decides which failures have expired (failure-timeout). */
  readonly now?: number;
}

const ROLE_NAMES: Record<number, Role> = {
  [RoleRank.Unknown]: 'Stopped',
  [RoleRank.Stopped]: 'Stopped',
  [RoleRank.Started]: 'Started',
  [RoleRank.Unpromoted]: 'Unpromoted',
  [RoleRank.Promoted]: 'Promoted',
};

/** Build the plain-data status view of a CIB (configuration + status). */
export function clusterStatus(cib: XmlElement, options: StatusOptions = {}): ClusterStatusView {
  const cluster = unpackCluster(cib, options.now);
  const nodes = [...cluster.nodes].sort((a, b) => compareNodeNames(a.name, b.name)).map((n) => nodeView(n, cluster));
  const failures = cluster.failures.map((f) => failureView(f.op, f.node, f.rscHistoryId));
  const probeFailures = failures.filter((f) => f.task === 'monitor' && f.intervalMs === 0 && (f.rc === 5 || f.rc === 2 || f.status === 7));
  const resources = cluster.resources.map((r) => resourceView(r, cluster, probeFailures));
  const counts = countInstances(cluster.resources, cluster.implicit);
  const settings = cluster.settings;
  const crmConfigProps = settings.props;
  const lastChange = {
    ...(cib.attrs['cib-last-written'] !== undefined ? { when: cib.attrs['cib-last-written'] } : {}),
    ...(cib.attrs['update-user'] !== undefined ? { user: cib.attrs['update-user'] } : {}),
    ...(cib.attrs['update-client'] !== undefined ? { client: cib.attrs['update-client'] } : {}),
    ...(cib.attrs['update-origin'] !== undefined ? { origin: cib.attrs['update-origin'] } : {}),
  };
  return {
    summary: {
      ...(crmConfigProps.get('cluster-infrastructure') !== undefined ? { stack: crmConfigProps.get('cluster-infrastructure')! } : {}),
      ...(cluster.dcNode ? { dcName: cluster.dcNode.name } : {}),
      ...(crmConfigProps.get('dc-version') !== undefined ? { dcVersion: crmConfigProps.get('dc-version')! } : {}),
      haveQuorum: settings.haveQuorum,
      ...(crmConfigProps.get('cluster-name') !== undefined ? { clusterName: crmConfigProps.get('cluster-name')! } : {}),
      ...(Object.keys(lastChange).length > 0 ? { lastChange } : {}),
      ...(options.now !== undefined ? { lastUpdated: options.now } : {}),
      nodesConfigured: cluster.nodes.filter((n) => n.type !== 'ping').length,
      resourceInstancesConfigured: counts.instances,
      disabledInstances: counts.disabled,
      blockedInstances: counts.blocked,
      stonithEnabled: settings.stonithEnabled,
      symmetricCluster: settings.symmetric,
      noQuorumPolicy: settings.noQuorumPolicy,
      maintenanceMode: settings.maintenanceMode,
      stopAllResources: settings.stopAllResources,
      stonithTimeoutMs: intervalMs(crmConfigProps.get('stonith-timeout') ?? '60s') ?? 60_000,
      priorityFencingDelayMs: intervalMs(crmConfigProps.get('priority-fencing-delay') ?? '0') ?? 0,
    },
    nodes,
    resources,
    failures,
    fencing: fencingHistory(cib),
    unsupported: cluster.unsupported,
  };
}

function health(node: MNode, cluster: UnpackedCluster): NodeHealth {
  const s = cluster.settings;
  if (s.healthStrategy === 'none') return 'green';
  let rc = 1;
  for (const [name, value] of node.attrs) {
    if (!name.startsWith('#health')) continue;
    const v = value.toLowerCase();
    if (v === 'red') rc = -1;
    else if (v === 'yellow' && rc > -1) rc = 0;
    else {
      const score = v === 'green' ? 0 : scoreOf(value);
      if (score <= s.healthRed) rc = -1;
      else if (score <= s.healthYellow && rc > -1) rc = 0;
    }
  }
  return rc < 0 ? 'red' : rc === 0 ? 'yellow' : 'green';
}

function nodeView(n: MNode, cluster: UnpackedCluster): NodeView {
  const container = n.remoteRsc?.container;
  return {
    name: n.name,
    id: n.id,
    type: n.type,
    online: n.online,
    unclean: n.unclean,
    pending: n.pending,
    standby: n.standby,
    standbyOnFail: n.standbyOnFail,
    maintenance: n.maintenance,
    shutdown: n.shutdown,
    expectedUp: n.expectedUp,
    health: health(n, cluster),
    isDc: cluster.dcNode === n,
    ...(n.attrs.get('#feature-set') !== undefined ? { featureSet: n.attrs.get('#feature-set')! } : {}),
    resourcesRunning: n.runningRsc.length,
    ...(n.type === 'guest' && container ? { container: container.id } : {}),
    ...(n.unclean && n.fenceReason !== undefined ? { fenceReason: n.fenceReason } : {}),
  };
}

function isDisabled(r: MResource): boolean {
  const target = r.meta.get('target-role')?.toLowerCase();
  if (target === 'stopped') return true;
  return (target === 'unpromoted' || target === 'slave') && topParent(r).promotable;
}

function agentOf(r: MResource): string {
  return r.provider !== undefined && r.cls === 'ocf' ? `${r.cls}:${r.provider}:${r.type}` : `${r.cls}:${r.type}`;
}

function flagsOf(r: MResource): Omit<PrimitiveView, 'kind' | 'id' | 'displayName' | 'agent' | 'role' | 'displayRole' | 'runningOn' | 'multiplyActive' | 'active' | 'failedProbes'> {
  return {
    managed: r.managed,
    failed: r.failed,
    blocked: r.blocked,
    orphaned: r.orphan,
    failureIgnored: r.failureIgnored,
    disabled: isDisabled(r),
    maintenance: r.maintenance,
  };
}

function primitiveView(r: MResource, probeFailures: readonly FailedActionView[]): PrimitiveView {
  const top = topParent(r);
  const anonymousInstance = top.kind === 'clone' && !top.unique;
  const role = ROLE_NAMES[r.role] ?? 'Stopped';
  const displayRole: Role = role === 'Started' && top.promotable ? 'Unpromoted' : role;
  // Failed probes are looked up under the cloned resource's configured id, whatever the instance.
  const probeId = top.kind === 'clone' ? (top.cloneChildXml?.attrs.id ?? r.xmlId) : r.id;
  const target = r.meta.get('target-role');
  return {
    kind: 'primitive',
    id: r.id,
    displayName: anonymousInstance ? r.xmlId : r.id,
    agent: agentOf(r),
    role,
    displayRole,
    runningOn: r.runningOn.map((n) => n.name),
    multiplyActive: r.runningOn.length > 1,
    active: r.runningOn.some((n) => n.unclean || n.online || !r.managed),
    ...flagsOf(r),
    ...(target !== undefined ? { targetRole: target } : {}),
    ...(r.pendingTask !== undefined ? { pendingTask: r.pendingTask } : {}),
    ...(r.pendingNode ? { pendingNode: r.pendingNode.name } : {}),
    ...(r.lockNode ? { lockedTo: r.lockNode.name } : {}),
    failedProbes: probeFailures
      .filter((f) => parseOpKey(f.operationKey)?.rsc === probeId)
      .map((f) => ({ node: f.node, result: rcText(f.rc) })),
  };
}

function groupView(r: MResource, probeFailures: readonly FailedActionView[]): GroupView {
  return {
    kind: 'group',
    id: r.id,
    ...flagsOf(r),
    runningOn: r.runningOn.map((n) => n.name),
    children: r.children.map((c) => primitiveView(c, probeFailures)),
  };
}

function cloneView(r: MResource, cluster: UnpackedCluster, probeFailures: readonly FailedActionView[]): CloneView {
  // Symmetric: every node. Opt-in: the nodes a hard failure put a preference on, else those with history.
  const candidates = cluster.settings.symmetric
    ? cluster.nodes.filter((n) => !n.outsideAllowedNodes).map((n) => n.name)
    : r.locationNodes.size > 0
      ? [...r.locationNodes]
      : [...r.knownOn];
  const target = r.meta.get('target-role');
  const configured = target ?? r.children[0]?.meta.get('target-role');
  return {
    kind: 'clone',
    id: r.id,
    childId: r.cloneChildXml?.attrs.id ?? '',
    promotable: r.promotable,
    unique: r.unique,
    cloneMax: r.cloneMax,
    ...flagsOf(r),
    ...(target !== undefined ? { targetRole: target } : {}),
    ...(configured !== undefined ? { configuredRole: configured } : {}),
    instances: r.children.map((c) => (c.kind === 'group' ? groupView(c, probeFailures) : primitiveView(c, probeFailures))),
    candidateNodes: candidates.sort(compareNodeNames),
    runningOn: r.runningOn.map((n) => n.name),
  };
}

function bundleView(r: MResource, probeFailures: readonly FailedActionView[]): BundleView {
  const data = r.bundle;
  return {
    kind: 'bundle',
    id: r.id,
    image: data?.image ?? '',
    unique: r.unique,
    ...flagsOf(r),
    runningOn: r.runningOn.map((n) => n.name),
    replicas: (data?.replicas ?? []).map((rep) => ({
      index: rep.index,
      ...(rep.ip !== undefined ? { ip: rep.ip } : {}),
      container: primitiveView(rep.container, probeFailures),
      ...(rep.child ? { child: primitiveView(rep.child, probeFailures) } : {}),
      ...(rep.remote ? { remote: primitiveView(rep.remote, probeFailures) } : {}),
      ...(rep.ipRsc ? { ipResource: primitiveView(rep.ipRsc, probeFailures) } : {}),
    })),
  };
}

function resourceView(r: MResource, cluster: UnpackedCluster, probeFailures: readonly FailedActionView[]): ResourceView {
  switch (r.kind) {
    case 'primitive':
      return primitiveView(r, probeFailures);
    case 'group':
      return groupView(r, probeFailures);
    case 'clone':
      return cloneView(r, cluster, probeFailures);
    case 'bundle':
      return bundleView(r, probeFailures);
  }
}

/** Leaf instances as Pacemaker counts them: inactive orphans do not count. */
function countInstances(resources: readonly MResource[], implicit: readonly MResource[]): { instances: number; disabled: number; blocked: number } {
  let instances = 0;
  let disabled = 0;
  let blocked = 0;
  for (const top of [...resources, ...implicit]) {
    for (const p of primitivesOf(top)) {
      if (p.orphan && p.role <= RoleRank.Stopped) continue;
      instances++;
      if (isDisabled(p)) disabled++;
      if (p.blocked) blocked++;
    }
  }
  return { instances, disabled, blocked };
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}

function failureView(op: XmlElement, node: string, rscHistoryId: string): FailedActionView {
  const key = op.attrs.operation_key ?? op.attrs.id ?? '';
  const rc = num(op.attrs['rc-code']) ?? 0;
  const status = num(op.attrs['op-status']) ?? 0;
  const lastRcChange = num(op.attrs['last-rc-change']);
  const exec = num(op.attrs['exec-time']);
  const queue = num(op.attrs['queue-time']);
  return {
    resource: rscHistoryId,
    operationKey: key,
    task: op.attrs.operation ?? '',
    intervalMs: num(op.attrs.interval) ?? 0,
    node,
    rc,
    rcText: rcText(rc),
    status,
    statusText: execStatusText(status),
    callId: num(op.attrs['call-id']) ?? -1,
    ...(op.attrs['exit-reason'] !== undefined && op.attrs['exit-reason'] !== '' ? { exitReason: op.attrs['exit-reason'] } : {}),
    ...(lastRcChange !== undefined ? { lastRcChange } : {}),
    ...(exec !== undefined ? { execTimeMs: exec } : {}),
    ...(queue !== undefined ? { queueTimeMs: queue } : {}),
  };
}

/** Fencing history kept in the status section (`fencing_history`/`fence_event`), if the CIB carries one. */
function fencingHistory(cib: XmlElement): FencingEventView[] {
  const status = firstChild(cib, 'status');
  const history = status ? firstChild(status, 'fencing_history') : undefined;
  if (!history) return [];
  return history.children
    .filter((e) => e.name === 'fence_event')
    .map((e) => {
      const completed = num(e.attrs.completed);
      return {
        target: e.attrs.target ?? '',
        action: e.attrs.action ?? '',
        state: e.attrs.status ?? e.attrs.state ?? '',
        ...(e.attrs.delegate !== undefined ? { delegate: e.attrs.delegate } : {}),
        ...(e.attrs.origin !== undefined ? { origin: e.attrs.origin } : {}),
        ...(completed !== undefined ? { completed } : {}),
      };
    });
}
