/** Small CIBs for scheduler tests: the document around the parts a test is about. */

const NODE_STATES = {
  online: 'in_ccm="true" crmd="online" join="member" expected="member"',
  /** Shut down cleanly: expected down. */
  left: 'in_ccm="false" crmd="offline" join="down" expected="down"',
  /** Gone without being expected to: unclean until fenced. */
  lost: 'in_ccm="false" crmd="offline" join="member" expected="member"',
};

/** A cluster node's node_state (an online member's unless said) holding the given lrm_resource entries. */
export function member(name: string, lrm = '', state: keyof typeof NODE_STATES = 'online'): string {
  return `<node_state id="${name}" uname="${name}" ${NODE_STATES[state]}><lrm id="${name}"><lrm_resources>${lrm}</lrm_resources></lrm></node_state>`;
}

/** A remote or guest node's node_state holding the given lrm_resource entries. */
export function remoteNode(name: string, lrm = ''): string {
  return `<node_state id="${name}" uname="${name}" remote_node="true"><lrm id="${name}"><lrm_resources>${lrm}</lrm_resources></lrm></node_state>`;
}

export interface CibParts {
  resources: string;
  status: string;
  constraints?: string;
  /** stonith-enabled; true unless given. */
  stonith?: boolean;
  /** Node names, n1 and n2 unless given. */
  nodes?: string[];
  dc?: string;
}

/** A quorate CIB with the given nodes, resources, constraints and status section content. */
export function cibXml(p: CibParts): string {
  const nodes = p.nodes ?? ['n1', 'n2'];
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="${p.dc ?? nodes[0]}">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="${p.stonith ?? true}"/></cluster_property_set></crm_config>
    <nodes>${nodes.map((n) => `<node id="${n}" uname="${n}"/>`).join('')}</nodes>
    <resources>${p.resources}</resources>
    <constraints>${p.constraints ?? ''}</constraints>
  </configuration>
  <status>${p.status}</status>
</cib>`;
}
