import { element, serializeXml, type XmlElement } from '../cib/xml.js';
import { ctimeUtc, isoUtc } from '../cib/dates.js';
import type { BundleView, CloneView, ClusterStatusView, GroupView, NodeView, PrimitiveView, ResourceView } from './types.js';

/**
 * crm_mon's `--output-as xml` document: `<pacemaker-result>` holding the
 * summary, nodes, resources and failures, closed by `<status code="0">`.
 */

const API_VERSION = '2.25';

const bool = (b: boolean): string => (b ? 'true' : 'false');

function nodeIdOf(view: ClusterStatusView, name: string): string {
  return view.nodes.find((n) => n.name === name)?.id ?? name;
}

function summary(view: ClusterStatusView): XmlElement {
  const s = view.summary;
  const dc = s.dcName !== undefined
    ? element('current_dc', {
        present: 'true',
        version: s.dcVersion ?? '',
        name: s.dcName,
        id: nodeIdOf(view, s.dcName),
        with_quorum: bool(s.haveQuorum),
        mixed_version: 'false',
      })
    : element('current_dc', { present: 'false' });
  const children: XmlElement[] = [element('stack', { type: s.stack ?? 'unknown' }), dc];
  if (s.lastUpdated !== undefined) children.push(element('last_update', { time: ctimeUtc(s.lastUpdated / 1000) }));
  if (s.lastChange !== undefined) {
    children.push(
      element('last_change', {
        time: s.lastChange.when ?? '',
        user: s.lastChange.user ?? '',
        client: s.lastChange.client ?? '',
        origin: s.lastChange.origin ?? '',
      }),
    );
  }
  children.push(
    element('nodes_configured', { number: String(s.nodesConfigured) }),
    element('resources_configured', {
      number: String(s.resourceInstancesConfigured),
      disabled: String(s.disabledInstances),
      blocked: String(s.blockedInstances),
    }),
    element('cluster_options', {
      'stonith-enabled': bool(s.stonithEnabled),
      'symmetric-cluster': bool(s.symmetricCluster),
      'no-quorum-policy': s.noQuorumPolicy,
      'maintenance-mode': bool(s.maintenanceMode),
      'stop-all-resources': bool(s.stopAllResources),
      'stonith-timeout-ms': String(s.stonithTimeoutMs),
      'priority-fencing-delay-ms': String(s.priorityFencingDelayMs),
    }),
  );
  return element('summary', {}, children);
}

function nodeXml(n: NodeView): XmlElement {
  return element('node', {
    name: n.name,
    id: n.id,
    online: bool(n.online),
    standby: bool(n.standby),
    standby_onfail: bool(n.standbyOnFail),
    maintenance: bool(n.maintenance),
    pending: bool(n.pending),
    unclean: bool(n.unclean),
    health: n.health,
    ...(n.online && n.type === 'member' ? { feature_set: n.featureSet ?? '<3.15.1' } : {}),
    shutdown: bool(n.shutdown),
    expected_up: bool(n.expectedUp),
    is_dc: bool(n.isDc),
    resources_running: String(n.resourcesRunning),
    type: n.type,
  });
}

function primitiveXml(view: ClusterStatusView, p: PrimitiveView): XmlElement {
  const online = (name: string): boolean => view.nodes.find((n) => n.name === name)?.online ?? false;
  return element(
    'resource',
    {
      id: p.displayName,
      resource_agent: p.agent,
      role: p.displayRole,
      ...(p.targetRole !== undefined ? { target_role: p.targetRole } : {}),
      active: bool(p.active),
      orphaned: bool(p.orphaned),
      blocked: bool(p.blocked),
      managed: bool(p.managed),
      failed: bool(p.failed),
      failure_ignored: bool(p.failureIgnored),
      nodes_running_on: String(p.runningOn.length),
      ...(p.pendingTask !== undefined ? { pending: p.pendingTask } : {}),
      ...(p.lockedTo !== undefined ? { locked_to: p.lockedTo } : {}),
    },
    p.runningOn.map((name) => element('node', { name, id: nodeIdOf(view, name), cached: bool(online(name)) })),
  );
}

function groupXml(view: ClusterStatusView, g: GroupView): XmlElement {
  return element(
    'group',
    {
      id: g.id,
      number_resources: String(g.children.length),
      maintenance: bool(g.maintenance),
      managed: bool(g.managed),
      disabled: bool(g.disabled),
    },
    g.children.map((c) => primitiveXml(view, c)),
  );
}

function cloneXml(view: ClusterStatusView, c: CloneView): XmlElement {
  return element(
    'clone',
    {
      id: c.id,
      multi_state: bool(c.promotable),
      unique: bool(c.unique),
      managed: bool(c.managed),
      disabled: bool(c.disabled),
      failed: bool(c.failed),
      failure_ignored: bool(c.failureIgnored),
      ...(c.targetRole !== undefined ? { target_role: c.targetRole } : {}),
    },
    c.instances.map((i) => (i.kind === 'group' ? groupXml(view, i) : primitiveXml(view, i))),
  );
}

function bundleXml(view: ClusterStatusView, b: BundleView): XmlElement {
  return element(
    'bundle',
    {
      id: b.id,
      image: b.image,
      unique: bool(b.unique),
      maintenance: bool(b.maintenance),
      managed: bool(b.managed),
      failed: bool(b.replicas.some((r) => r.container.failed || (r.child?.failed ?? false))),
    },
    b.replicas.map((r) =>
      element(
        'replica',
        { id: String(r.index) },
        [r.ipResource, r.child, r.container, r.remote].filter((x): x is PrimitiveView => x !== undefined).map((p) => primitiveXml(view, p)),
      ),
    ),
  );
}

function resourceXml(view: ClusterStatusView, r: ResourceView): XmlElement {
  switch (r.kind) {
    case 'primitive':
      return primitiveXml(view, r);
    case 'group':
      return groupXml(view, r);
    case 'clone':
      return cloneXml(view, r);
    case 'bundle':
      return bundleXml(view, r);
  }
}

export function renderCrmMonXml(view: ClusterStatusView): string {
  const children: XmlElement[] = [
    summary(view),
    element('nodes', {}, view.nodes.map(nodeXml)),
    element('resources', {}, view.resources.filter((r) => !(r.kind === 'primitive' && r.orphaned && r.runningOn.length === 0)).map((r) => resourceXml(view, r))),
  ];
  if (view.failures.length > 0) {
    children.push(
      element(
        'failures',
        {},
        view.failures.map((f) =>
          element('failure', {
            op_key: f.operationKey,
            node: f.node,
            exitstatus: f.rcText,
            exitreason: f.exitReason ?? 'none',
            exitcode: String(f.rc),
            call: String(f.callId),
            status: f.statusText,
            ...(f.lastRcChange !== undefined ? { 'last-rc-change': isoUtc(f.lastRcChange) } : {}),
            queued: String(f.queueTimeMs ?? 0),
            exec: String(f.execTimeMs ?? 0),
            interval: String(f.intervalMs),
            task: f.task,
          }),
        ),
      ),
    );
  }
  if (view.fencing.length > 0) {
    children.push(
      element(
        'fence_history',
        {},
        view.fencing.map((e) =>
          element('fence_event', {
            action: e.action,
            target: e.target,
            status: e.state,
            ...(e.delegate !== undefined ? { delegate: e.delegate } : {}),
            ...(e.origin !== undefined ? { origin: e.origin } : {}),
            ...(e.completed !== undefined ? { completed: ctimeUtc(e.completed) } : {}),
          }),
        ),
      ),
    );
  }
  children.push(element('status', { code: '0', message: 'OK' }));
  const root = element('pacemaker-result', { 'api-version': API_VERSION, request: 'crm_mon -1 --output-as xml' }, children);
  return serializeXml(root);
}
