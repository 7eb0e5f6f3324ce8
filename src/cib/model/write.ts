import type { XmlElement } from '../xml.js';
import { build } from './fidelity.js';
import * as S from './spec.js';
import {
  SECTIONS, type AclEntry, type Alert, type AlertRecipient, type Cib, type Clone, type Configuration, type Constraint,
  type DateSpec, type FencingLevel, type Group, type Lrm, type LrmResource, type Node, type NodeState, type NvPair,
  type NvSet, type Op, type Primitive, type Resource, type ResourceRef, type ResourceSet, type Rule, type RuleExpression,
  type SectionName, type Status, type Tag,
} from './types.js';

/** Writes the model back as a CIB document; for a model read from XML, the same document. */
export function writeCib(cib: Cib): XmlElement {
  const children = [[configuration(cib.configuration)], cib.status ? [status(cib.status)] : []];
  const root = {
    ...cib,
    admin_epoch: String(cib.version.adminEpoch),
    epoch: String(cib.version.epoch),
    num_updates: String(cib.version.numUpdates),
  };
  return build('cib', root, S.CIB_ROOT_ATTRS, cib.extra, children);
}

const NO_ATTRS = S.attrSpec([]);

/**
 * Pacemaker's CIB always has these four; a configuration built by code gets them even when empty.
 * One read from XML gets back the sections it had, and any that have gained content.
 */
const MANDATORY = new Set<SectionName>(['crm_config', 'nodes', 'resources', 'constraints']);

function configuration(c: Configuration): XmlElement {
  const sections: XmlElement[][] = [];
  const built = c.extra === undefined;
  for (const name of SECTIONS) {
    const items = sectionItems(c, name);
    const extra = c.sections?.[name];
    if (extra === undefined && items.length === 0 && !(built && MANDATORY.has(name))) continue;
    const list = name === 'resources' || name === 'constraints' || name === 'acls';
    sections.push([build(name, {}, NO_ATTRS, extra, list ? { list: items } : [items])]);
  }
  return build('configuration', {}, NO_ATTRS, c.extra, sections);
}

function sectionItems(c: Configuration, name: SectionName): XmlElement[] {
  switch (name) {
    case 'crm_config':
      return c.crmConfig.map(nvset);
    case 'nodes':
      return c.nodes.map(node);
    case 'resources':
      return c.resources.map(resource);
    case 'constraints':
      return c.constraints.map(constraint);
    case 'rsc_defaults':
      return c.rscDefaults.map(nvset);
    case 'op_defaults':
      return c.opDefaults.map(nvset);
    case 'alerts':
      return c.alerts.map(alert);
    case 'fencing-topology':
      return c.fencingTopology.map(fencingLevel);
    case 'tags':
      return c.tags.map(tag);
    case 'acls':
      return c.acls.map(acl);
  }
}

// ---- attribute sets and rules ----

function nvset(set: NvSet): XmlElement {
  if (set.ref !== undefined) return build(set.element, set, S.NVSET_ATTRS, set.extra);
  return build(set.element, set, S.NVSET_ATTRS, set.extra, [set.rules.map(rule), set.pairs.map(nvpair)]);
}

function nvsets(sets: NvSet[]): XmlElement[] {
  return sets.map(nvset);
}

function nvpair(pair: NvPair): XmlElement {
  return build('nvpair', pair, S.NVPAIR_ATTRS, pair.extra);
}

function rule(r: Rule): XmlElement {
  if (r.ref !== undefined) return build('rule', r, S.RULE_ATTRS, r.extra);
  return build('rule', r, S.RULE_ATTRS, r.extra, { list: r.expressions.map(expression) });
}

function expression(e: RuleExpression): XmlElement {
  switch (e.kind) {
    case 'expression':
      return build('expression', e, S.EXPRESSION_ATTRS, e.extra);
    case 'date_expression':
      return build('date_expression', e, S.DATE_EXPRESSION_ATTRS, e.extra, [
        e.dateSpec ? [dateSpec('date_spec', e.dateSpec)] : [],
        e.duration ? [dateSpec('duration', e.duration)] : [],
      ]);
    case 'rsc_expression':
      return build('rsc_expression', e, S.RSC_EXPRESSION_ATTRS, e.extra);
    case 'op_expression':
      return build('op_expression', e, S.OP_EXPRESSION_ATTRS, e.extra);
    case 'rule':
      return rule(e.rule);
    case 'xml':
      return e.xml;
  }
}

function dateSpec(name: string, spec: DateSpec): XmlElement {
  const attrs = Object.keys(spec.fields).map((attr) => [attr, attr] as const);
  return build(name, { id: spec.id, ...spec.fields }, S.attrSpec([['id', 'id'], ...attrs]), spec.extra);
}

// ---- nodes and resources ----

function node(n: Node): XmlElement {
  return build('node', n, S.NODE_ATTRS, n.extra, [nvsets(n.instanceAttributes), nvsets(n.utilization)]);
}

function resource(r: Resource): XmlElement {
  switch (r.kind) {
    case 'primitive':
    case 'template':
      return primitive(r);
    case 'group':
      return group(r);
    case 'clone':
      return clone(r);
    case 'bundle':
    case 'xml':
      return r.xml;
  }
}

function primitive(p: Primitive): XmlElement {
  return build(p.kind, p, S.PRIMITIVE_ATTRS, p.extra, [
    nvsets(p.instanceAttributes),
    nvsets(p.metaAttributes),
    nvsets(p.utilization),
    p.operations ? [build('operations', p.operations, S.OPERATIONS_ATTRS, p.operations.extra, [p.operations.ops.map(op)])] : [],
  ]);
}

function op(o: Op): XmlElement {
  return build('op', o, S.OP_ATTRS, o.extra, [nvsets(o.instanceAttributes), nvsets(o.metaAttributes)]);
}

function group(g: Group): XmlElement {
  return build('group', g, S.CONTAINER_ATTRS, g.extra, [
    g.members.map(primitive), nvsets(g.metaAttributes), nvsets(g.instanceAttributes), nvsets(g.utilization),
  ]);
}

function clone(c: Clone): XmlElement {
  const child = c.child.kind === 'group' ? group(c.child) : primitive(c.child);
  return build(c.element, c, S.CONTAINER_ATTRS, c.extra, [[child], nvsets(c.metaAttributes), nvsets(c.instanceAttributes)]);
}

// ---- constraints ----

function constraint(c: Constraint): XmlElement {
  switch (c.kind) {
    case 'rsc_location':
      return build('rsc_location', c, S.LOCATION_ATTRS, c.extra, [c.rules.map(rule), c.sets.map(resourceSet)]);
    case 'rsc_colocation':
      return build('rsc_colocation', c, S.COLOCATION_ATTRS, c.extra, [c.sets.map(resourceSet)]);
    case 'rsc_order':
      return build('rsc_order', c, S.ORDER_ATTRS, c.extra, [c.sets.map(resourceSet)]);
    case 'rsc_ticket':
      return build('rsc_ticket', c, S.TICKET_ATTRS, c.extra, [c.sets.map(resourceSet)]);
    case 'xml':
      return c.xml;
  }
}

function resourceSet(s: ResourceSet): XmlElement {
  return build('resource_set', s, S.RESOURCE_SET_ATTRS, s.extra, [s.resources.map((r) => ref('resource_ref', r))]);
}

function ref(name: string, r: ResourceRef): XmlElement {
  return build(name, r, S.ID_ATTRS, r.extra);
}

// ---- alerts, fencing topology, tags, ACLs ----

function alert(a: Alert): XmlElement {
  return build('alert', a, S.ALERT_ATTRS, a.extra, [nvsets(a.metaAttributes), nvsets(a.instanceAttributes), a.recipients.map(recipient)]);
}

function recipient(r: AlertRecipient): XmlElement {
  return build('recipient', r, S.RECIPIENT_ATTRS, r.extra, [nvsets(r.metaAttributes), nvsets(r.instanceAttributes)]);
}

function fencingLevel(l: FencingLevel): XmlElement {
  return build('fencing-level', l, S.FENCING_LEVEL_ATTRS, l.extra);
}

function tag(t: Tag): XmlElement {
  return build('tag', t, S.ID_ATTRS, t.extra, [t.refs.map((r) => ref('obj_ref', r))]);
}

function acl(a: AclEntry): XmlElement {
  switch (a.kind) {
    case 'acl_role':
      return build('acl_role', a, S.CONTAINER_ATTRS, a.extra, [
        a.permissions.map((p) => build('acl_permission', p, S.ACL_PERMISSION_ATTRS, p.extra)),
      ]);
    case 'acl_target':
    case 'acl_group':
      return build(a.kind, a, S.ACL_TARGET_ATTRS, a.extra, [a.roles.map((r) => ref('role', r))]);
    case 'xml':
      return a.xml;
  }
}

// ---- status ----

function status(s: Status): XmlElement {
  return build('status', s, NO_ATTRS, s.extra, [s.nodes.map(nodeState)]);
}

function nodeState(n: NodeState): XmlElement {
  const t = n.transientAttributes;
  return build('node_state', n, S.NODE_STATE_ATTRS, n.extra, [
    t ? [build('transient_attributes', t, S.ID_ATTRS, t.extra, [nvsets(t.sets)])] : [],
    n.lrm ? [lrm(n.lrm)] : [],
  ]);
}

function lrm(l: Lrm): XmlElement {
  const wrapper = l.listExtra !== undefined || l.resources.length > 0;
  const list = wrapper ? [build('lrm_resources', {}, NO_ATTRS, l.listExtra, [l.resources.map(lrmResource)])] : [];
  return build('lrm', l, S.ID_ATTRS, l.extra, [list]);
}

function lrmResource(r: LrmResource): XmlElement {
  return build('lrm_resource', r, S.LRM_RESOURCE_ATTRS, r.extra, [
    r.ops.map((o) => build('lrm_rsc_op', o, S.LRM_RSC_OP_ATTRS, o.extra)),
  ]);
}
