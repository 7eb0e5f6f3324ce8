/** A small three-node CIB for the console's tests: primitives (one with a password), a group, a clone, one failure. */

const op = (rsc: string, task: string, node: string, callId: number, rc: number, interval = 0, when = 1_790_000_000): string => {
  const id = interval > 0 ? `${rsc}_${task}_${interval}` : rc !== 0 && task !== 'monitor' ? `${rsc}_last_failure_0` : `${rsc}_last_0`;
  const target = task === 'monitor' && interval === 0 ? 7 : 0;
  return `<lrm_rsc_op id="${id}" operation_key="${rsc}_${task}_${interval}" operation="${task}" crm-debug-origin="do_update_resource" crm_feature_set="3.19.0" transition-key="${callId}:1:${target}:00000000-0000-0000-0000-000000000000" transition-magic="0:${rc};${callId}:1:${target}:00000000-0000-0000-0000-000000000000" exit-reason="${rc === 0 ? '' : 'simulated failure'}" on_node="${node}" call-id="${callId}" rc-code="${rc}" op-status="0" interval="${interval}" last-rc-change="${when + callId}" exec-time="10" queue-time="0" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>`;
};

const dummy = (id: string): string =>
  `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="${id}-monitor-10s" name="monitor" interval="10s"/></operations></primitive>`;

const lrm = (node: string, rscs: [string, string][]): string =>
  `<lrm id="${node}"><lrm_resources>${rscs.map(([id, ops]) => `<lrm_resource id="${id}" class="ocf" provider="heartbeat" type="Dummy">${ops}</lrm_resource>`).join('')}</lrm_resources></lrm>`;

const nodeState = (id: number, name: string, body: string): string =>
  `<node_state id="${id}" uname="${name}" in_ccm="true" crmd="online" crm-debug-origin="do_state_transition" join="member" expected="member">${body}</node_state>`;

export function fixtureCib(): string {
  return [
    '<cib crm_feature_set="3.19.0" validate-with="pacemaker-3.9" epoch="7" num_updates="3" admin_epoch="0" have-quorum="1" dc-uuid="1">',
    '<configuration>',
    '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/><nvpair id="opt-name" name="cluster-name" value="testcluster"/></cluster_property_set></crm_config>',
    '<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>',
    '<resources>',
    dummy('vip'),
    dummy('vault').replace('<operations>', '<instance_attributes id="vault-params"><nvpair id="vault-passwd" name="passwd" value="hunter22"/></instance_attributes><operations>'),
    `<group id="web">${dummy('web-fs')}${dummy('web-server')}</group>`,
    `<clone id="pings">${dummy('ping')}</clone>`,
    '</resources>',
    '<constraints/>',
    // Stickiness keeps running resources where they are when others are added (as most clusters set it).
    '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>',
    '</configuration>',
    '<status>',
    nodeState(1, 'node1', lrm('node1', [
      ['vip', op('vip', 'start', 'node1', 10, 0) + op('vip', 'monitor', 'node1', 11, 0, 10000)],
      ['ping', op('ping', 'start', 'node1', 12, 0)],
    ])),
    nodeState(2, 'node2', lrm('node2', [
      ['web-fs', op('web-fs', 'start', 'node2', 20, 0)],
      ['web-server', op('web-server', 'start', 'node2', 21, 0) + op('web-server', 'monitor', 'node2', 22, 1, 10000)],
      ['ping', op('ping', 'start', 'node2', 23, 0)],
    ])),
    nodeState(3, 'node3', lrm('node3', [['ping', op('ping', 'start', 'node3', 30, 0)]])),
    '</status>',
    '</cib>',
  ].join('');
}
