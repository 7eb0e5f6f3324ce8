import type { XmlElement } from '../xml.js';
import { build, type Extra } from './fidelity.js';
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
  return build('cib', {
    admin_epoch: String(cib.version.adminEpoch),
    epoch: String(cib.version.epoch),
    num_updates: String(cib.version.numUpdates),
    ...attrs(cib, S.CIB_ATTRS),
  }, cib.extra, children);
}

function attrs(obj: object, spec: S.AttrSpec): Record<string, string | undefined> {
  const values = obj as Record<string, unknown>;
  const out: Record<string, string | undefined> = {};
  for (const [field, attr] of spec) out[attr] = values[field] as string | undefined;
  return out;
}

/** Pacemaker's CIB always has these four; the others are written when present or non-empty. */
const MANDATORY = new Set<SectionName>(['crm_config', 'nodes', 'resources', 'constraints']);

function configuration(c: Configuration): XmlElement {
  const sections: XmlElement[][] = [];
  for (const name of SECTIONS) {
    const items = sectionItems(c, name);
    const extra = c.sections?.[name];
    if (extra === undefined && items.length === 0 && !MANDATORY.has(name)) continue;
    const list = name === 'resources' || name === 'constraints' || name === 'acls';
    sections.push([build(name, {}, extra, list ? { list: items } : [items])]);
  }
  return build('configuration', {}, c.extra, sections);
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
  if (set.ref !== undefined) return build(set.element, { 'id-ref': set.ref }, set.extra);
  return build(set.element, { id: set.id, score: set.score }, set.extra, [set.rules.map(rule), set.pairs.map(nvpair)]);
}

function nvsets(sets: NvSet[]): XmlElement[] {
  return sets.map(nvset);
}

function nvpair(pair: NvPair): XmlElement {
  return build('nvpair', attrs(pair, S.NVPAIR_ATTRS), pair.extra);
}

function rule(r: Rule): XmlElement {
  if (r.ref !== undefined) return build('rule', { 'id-ref': r.ref }, r.extra);
  return build('rule', attrs(r, S.RULE_ATTRS), r.extra, { list: r.expressions.map(expression) });
}

function expression(e: RuleExpression): XmlElement {
  switch (e.kind) {
    case 'expression':
      return build('expression', attrs(e, S.EXPRESSION_ATTRS), e.extra);
    case 'date_expression':
      return build('date_expression', attrs(e, S.DATE_EXPRESSION_ATTRS), e.extra, [
        e.dateSpec ? [dateSpec('date_spec', e.dateSpec)] : [],
        e.duration ? [dateSpec('duration', e.duration)] : [],
      ]);
    case 'rsc_expression':
      return build('rsc_expression', attrs(e, S.RSC_EXPRESSION_ATTRS), e.extra);
    case 'op_expression':
      return build('op_expression', attrs(e, S.OP_EXPRESSION_ATTRS), e.extra);
    case 'rule':
      return rule(e.rule);
    case 'xml':
      return e.xml;
  }
}

function dateSpec(name: string, spec: DateSpec): XmlElement {
  return build(name, { id: spec.id, ...spec.fields }, spec.extra);
}

// ---- nodes and resources ----

function node(n: Node): XmlElement {
  return build('node', attrs(n, S.NODE_ATTRS), n.extra, [nvsets(n.instanceAttributes), nvsets(n.utilization)]);
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
  return build(p.kind, attrs(p, S.PRIMITIVE_ATTRS), p.extra, [
    nvsets(p.instanceAttributes),
    nvsets(p.metaAttributes),
    nvsets(p.utilization),
    p.operations ? [build('operations', attrs(p.operations, S.OPERATIONS_ATTRS), p.operations.extra, [p.operations.ops.map(op)])] : [],
  ]);
}

function op(o: Op): XmlElement {
  return build('op', attrs(o, S.OP_ATTRS), o.extra, [nvsets(o.instanceAttributes), nvsets(o.metaAttributes)]);
}

function group(g: Group): XmlElement {
  return build('group', attrs(g, S.CONTAINER_ATTRS), g.extra, [
    g.members.map(primitive), nvsets(g.metaAttributes), nvsets(g.instanceAttributes), nvsets(g.utilization),
  ]);
}

function clone(c: Clone): XmlElement {
  const child = c.child.kind === 'group' ? group(c.child) : primitive(c.child);
  return build(c.element, attrs(c, S.CONTAINER_ATTRS), c.extra, [[child], nvsets(c.metaAttributes), nvsets(c.instanceAttributes)]);
}

// ---- constraints ----

function constraint(c: Constraint): XmlElement {
  switch (c.kind) {
    case 'rsc_location':
      return build('rsc_location', attrs(c, S.LOCATION_ATTRS), c.extra, [c.rules.map(rule), c.sets.map(resourceSet)]);
    case 'rsc_colocation':
      return build('rsc_colocation', attrs(c, S.COLOCATION_ATTRS), c.extra, [c.sets.map(resourceSet)]);
    case 'rsc_order':
      return build('rsc_order', attrs(c, S.ORDER_ATTRS), c.extra, [c.sets.map(resourceSet)]);
    case 'rsc_ticket':
      return build('rsc_ticket', attrs(c, S.TICKET_ATTRS), c.extra, [c.sets.map(resourceSet)]);
    case 'xml':
      return c.xml;
  }
}

function resourceSet(s: ResourceSet): XmlElement {
  return build('resource_set', attrs(s, S.RESOURCE_SET_ATTRS), s.extra, [s.resources.map((r) => ref('resource_ref', r))]);
}

function ref(name: string, r: ResourceRef): XmlElement {
  return build(name, { id: r.id }, r.extra);
}

// ---- alerts, fencing topology, tags, ACLs ----

function alert(a: Alert): XmlElement {
  return build('alert', attrs(a, S.ALERT_ATTRS), a.extra, [nvsets(a.metaAttributes), nvsets(a.instanceAttributes), a.recipients.map(recipient)]);
}

function recipient(r: AlertRecipient): XmlElement {
  return build('recipient', attrs(r, S.RECIPIENT_ATTRS), r.extra, [nvsets(r.metaAttributes), nvsets(r.instanceAttributes)]);
}

function fencingLevel(l: FencingLevel): XmlElement {
  return build('fencing-level', attrs(l, S.FENCING_LEVEL_ATTRS), l.extra);
}

function tag(t: Tag): XmlElement {
  return build('tag', { id: t.id }, t.extra, [t.refs.map((r) => ref('obj_ref', r))]);
}

function acl(a: AclEntry): XmlElement {
  switch (a.kind) {
    case 'acl_role':
      return build('acl_role', attrs(a, S.CONTAINER_ATTRS), a.extra, [
        a.permissions.map((p) => build('acl_permission', attrs(p, S.ACL_PERMISSION_ATTRS), p.extra)),
      ]);
    case 'acl_target':
    case 'acl_group':
      return build(a.kind, attrs(a, S.ACL_TARGET_ATTRS), a.extra, [a.roles.map((r) => ref('role', r))]);
    case 'xml':
      return a.xml;
  }
}

// ---- status ----

function status(s: Status): XmlElement {
  return build('status', {}, s.extra, [s.nodes.map(nodeState)]);
}

function nodeState(n: NodeState): XmlElement {
  const t = n.transientAttributes;
  return build('node_state', attrs(n, S.NODE_STATE_ATTRS), n.extra, [
    t ? [build('transient_attributes', { id: t.id }, t.extra, [nvsets(t.sets)])] : [],
    n.lrm ? [lrm(n.lrm)] : [],
  ]);
}

function lrm(l: Lrm): XmlElement {
  const wrapper = l.listExtra !== undefined || l.resources.length > 0;
  const list = wrapper ? [build('lrm_resources', {}, l.listExtra, [l.resources.map(lrmResource)])] : [];
  return build('lrm', { id: l.id }, l.extra, [list]);
}

function lrmResource(r: LrmResource): XmlElement {
  return build('lrm_resource', attrs(r, S.LRM_RESOURCE_ATTRS), r.extra, [
    r.ops.map((o) => build('lrm_rsc_op', attrs(o, S.LRM_RSC_OP_ATTRS), o.extra as Extra | undefined)),
  ]);
}
