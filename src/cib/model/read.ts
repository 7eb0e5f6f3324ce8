import type { XmlElement } from '../xml.js';
import { CibError, describe, missingAttribute } from './errors.js';
import { LayoutCache, type Extra, type Shape } from './fidelity.js';
import * as S from './spec.js';
import type {
  AclEntry, Alert, AlertRecipient, Cib, Clone, Configuration, Constraint, DateSpec, FencingLevel, Group, Lrm, LrmResource,
  LrmRscOp, Node, NodeState, NvPair, NvSet, NvSetElement, Op, Operations, Primitive, Resource, ResourceRef, ResourceSet,
  Rule, RuleExpression, SectionName, Status, Tag, TransientAttributes,
} from './types.js';

/**
 * Reads a CIB document into the model. Throws CibError, naming the element and attribute, for a
 * document the model cannot hold (no <cib> root, a resource without an id, a clone without a
 * child); anything it merely does not understand is kept in `extra`.
 */
export function readCib(xml: XmlElement): Cib {
  return new Reader().cib(xml);
}

type Fields = Record<string, string>;

function fields(el: XmlElement, spec: S.AttrSpec): Fields {
  const out: Fields = {};
  for (const [field, attr] of spec.pairs) {
    const value = el.attrs[attr];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

function required(el: XmlElement, attr: string, parent?: XmlElement): string {
  const value = el.attrs[attr];
  if (value === undefined) throw missingAttribute(el, attr, parent);
  return value;
}

function single(parent: XmlElement, name: string): XmlElement | undefined {
  let found: XmlElement | undefined;
  for (const child of parent.children) {
    if (child.name !== name) continue;
    if (found) throw new CibError(`${describe(parent)} has more than one <${name}>`, name);
    found = child;
  }
  return found;
}

function named(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((c) => c.name === name);
}

function version(el: XmlElement, attr: string): number {
  const text = required(el, attr);
  if (!/^\d+$/.test(text)) throw new CibError(`<cib> ${attr}="${text}" is not a non-negative integer`, 'cib', attr);
  return Number(text);
}

const NVSET_ELEMENTS = new Set<string>(['instance_attributes', 'meta_attributes', 'utilization', 'cluster_property_set']);
const CONFIG_SECTIONS: Record<SectionName, keyof Configuration> = {
  crm_config: 'crmConfig', nodes: 'nodes', resources: 'resources', constraints: 'constraints', rsc_defaults: 'rscDefaults',
  op_defaults: 'opDefaults', alerts: 'alerts', 'fencing-topology': 'fencingTopology', tags: 'tags', acls: 'acls',
};

class Reader {
  private readonly layouts = new LayoutCache();

  private extra(el: XmlElement, s: Shape): Extra {
    return this.layouts.extraOf(el, s);
  }

  cib(el: XmlElement): Cib {
    if (el.name !== 'cib') throw new CibError(`the document's root element is <${el.name}>, not <cib>`, el.name);
    const config = single(el, 'configuration');
    if (!config) throw new CibError('<cib> has no <configuration>', 'configuration');
    const status = single(el, 'status');
    const cib: Cib = {
      version: { adminEpoch: version(el, 'admin_epoch'), epoch: version(el, 'epoch'), numUpdates: version(el, 'num_updates') },
      ...fields(el, S.CIB_ATTRS),
      configuration: this.configuration(config),
      extra: this.extra(el, S.SHAPES.cib),
    };
    if (status) cib.status = this.status(status);
    return cib;
  }

  private configuration(el: XmlElement): Configuration {
    const sections: Partial<Record<SectionName, Extra>> = {};
    const out: Configuration = {
      crmConfig: [], nodes: [], resources: [], constraints: [], rscDefaults: [], opDefaults: [], alerts: [],
      fencingTopology: [], tags: [], acls: [], sections, extra: this.extra(el, S.SHAPES.configuration),
    };
    for (const [name, field] of Object.entries(CONFIG_SECTIONS) as [SectionName, keyof Configuration][]) {
      const section = single(el, name);
      if (!section) continue;
      const [items, extra] = this.section(name, section);
      (out[field] as unknown[]) = items;
      sections[name] = extra;
    }
    return out;
  }

  private section(name: SectionName, el: XmlElement): [unknown[], Extra] {
    switch (name) {
      case 'crm_config':
        return [this.nvsets(el, 'cluster_property_set'), this.extra(el, S.SHAPES.crm_config)];
      case 'nodes':
        return [named(el, 'node').map((n) => this.node(n)), this.extra(el, S.SHAPES.nodes)];
      case 'resources':
        return [el.children.map((r) => this.resource(r)), this.extra(el, S.SHAPES.list)];
      case 'constraints':
        return [el.children.map((c) => this.constraint(c)), this.extra(el, S.SHAPES.list)];
      case 'rsc_defaults':
      case 'op_defaults':
        return [this.nvsets(el, 'meta_attributes'), this.extra(el, S.SHAPES.defaults)];
      case 'alerts':
        return [named(el, 'alert').map((a) => this.alert(a)), this.extra(el, S.SHAPES.alerts)];
      case 'fencing-topology':
        return [named(el, 'fencing-level').map((l) => this.fencingLevel(l)), this.extra(el, S.SHAPES['fencing-topology'])];
      case 'tags':
        return [named(el, 'tag').map((t) => this.tag(t)), this.extra(el, S.SHAPES.tags)];
      case 'acls':
        return [el.children.map((a) => this.acl(a)), this.extra(el, S.SHAPES.list)];
    }
  }

  // ---- attribute sets and rules ----

  private nvsets(parent: XmlElement, name: NvSetElement): NvSet[] {
    const out: NvSet[] = [];
    for (const child of parent.children) if (child.name === name) out.push(this.nvset(child, parent));
    return out;
  }

  private nvset(el: XmlElement, parent: XmlElement): NvSet {
    const element = el.name as NvSetElement;
    const ref = el.attrs['id-ref'];
    if (ref !== undefined && el.attrs.id === undefined) return { element, ref, extra: this.extra(el, S.SHAPES.nvsetReference) };
    const set: NvSet = {
      element,
      id: required(el, 'id', parent),
      rules: [],
      pairs: [],
      extra: this.extra(el, S.SHAPES.nvset),
    };
    if (el.attrs.score !== undefined) set.score = el.attrs.score;
    for (const child of el.children) {
      if (child.name === 'nvpair') set.pairs.push(this.nvpair(child, el));
      else if (child.name === 'rule') set.rules.push(this.rule(child, el));
    }
    return set;
  }

  private nvpair(el: XmlElement, parent: XmlElement): NvPair {
    const f = fields(el, S.NVPAIR_ATTRS);
    if (f.ref === undefined && f.name === undefined) throw missingAttribute(el, 'name', parent);
    const pair = f as unknown as NvPair;
    pair.extra = this.extra(el, S.SHAPES.nvpair);
    return pair;
  }

  private rule(el: XmlElement, parent: XmlElement): Rule {
    const { ref, ...f } = fields(el, S.RULE_ATTRS);
    if (ref !== undefined && f.id === undefined) return { ref, extra: this.extra(el, S.SHAPES.ruleReference) };
    if (f.id === undefined) throw missingAttribute(el, 'id', parent);
    return { ...f, id: f.id, expressions: el.children.map((c) => this.expression(c, el)), extra: this.extra(el, S.SHAPES.rule) };
  }

  private expression(el: XmlElement, rule: XmlElement): RuleExpression {
    switch (el.name) {
      case 'expression': {
        const f = fields(el, S.EXPRESSION_ATTRS);
        return { kind: 'expression', ...f, id: required(el, 'id', rule), attribute: required(el, 'attribute', rule), operation: required(el, 'operation', rule), extra: this.extra(el, S.SHAPES.expression) };
      }
      case 'date_expression': {
        const f = fields(el, S.DATE_EXPRESSION_ATTRS);
        const expr: RuleExpression = { kind: 'date_expression', ...f, id: required(el, 'id', rule), extra: this.extra(el, S.SHAPES.date_expression) };
        const spec = single(el, 'date_spec');
        const duration = single(el, 'duration');
        if (spec) expr.dateSpec = this.dateSpec(spec);
        if (duration) expr.duration = this.dateSpec(duration);
        return expr;
      }
      case 'rsc_expression':
        return { kind: 'rsc_expression', ...fields(el, S.RSC_EXPRESSION_ATTRS), id: required(el, 'id', rule), extra: this.extra(el, S.SHAPES.rsc_expression) };
      case 'op_expression':
        return { kind: 'op_expression', ...fields(el, S.OP_EXPRESSION_ATTRS), id: required(el, 'id', rule), name: required(el, 'name', rule), extra: this.extra(el, S.SHAPES.op_expression) };
      case 'rule':
        return { kind: 'rule', rule: this.rule(el, rule) };
      default:
        return { kind: 'xml', xml: el };
    }
  }

  private dateSpec(el: XmlElement): DateSpec {
    const { id, ...fieldsOf } = el.attrs;
    const known: Shape = { attrs: new Set(Object.keys(el.attrs)), children: new Set() };
    const spec: DateSpec = { fields: { ...fieldsOf }, extra: this.extra(el, known) };
    if (id !== undefined) spec.id = id;
    return spec;
  }

  // ---- nodes and resources ----

  private node(el: XmlElement): Node {
    return {
      ...fields(el, S.NODE_ATTRS),
      id: required(el, 'id'),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      utilization: this.nvsets(el, 'utilization'),
      extra: this.extra(el, S.SHAPES.node),
    };
  }

  private resource(el: XmlElement): Resource {
    switch (el.name) {
      case 'primitive':
      case 'template':
        return this.primitive(el);
      case 'group':
        return this.group(el);
      case 'clone':
      case 'master':
        return this.clone(el);
      case 'bundle':
        return { kind: 'bundle', id: required(el, 'id'), xml: el };
      default:
        return { kind: 'xml', xml: el };
    }
  }

  private primitive(el: XmlElement, parent?: XmlElement): Primitive {
    const p: Primitive = {
      kind: el.name === 'template' ? 'template' : 'primitive',
      ...fields(el, S.PRIMITIVE_ATTRS),
      id: required(el, 'id', parent),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      metaAttributes: this.nvsets(el, 'meta_attributes'),
      utilization: this.nvsets(el, 'utilization'),
      extra: this.extra(el, S.SHAPES.primitive),
    };
    const ops = single(el, 'operations');
    if (ops) p.operations = this.operations(ops, el);
    return p;
  }

  private operations(el: XmlElement, parent: XmlElement): Operations {
    return { ...fields(el, S.OPERATIONS_ATTRS), ops: named(el, 'op').map((op) => this.op(op, parent)), extra: this.extra(el, S.SHAPES.operations) };
  }

  private op(el: XmlElement, rsc: XmlElement): Op {
    return {
      ...fields(el, S.OP_ATTRS),
      id: required(el, 'id', rsc),
      name: required(el, 'name', rsc),
      interval: required(el, 'interval', rsc),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      metaAttributes: this.nvsets(el, 'meta_attributes'),
      extra: this.extra(el, S.SHAPES.op),
    };
  }

  private group(el: XmlElement, parent?: XmlElement): Group {
    return {
      kind: 'group',
      ...fields(el, S.CONTAINER_ATTRS),
      id: required(el, 'id', parent),
      members: named(el, 'primitive').map((p) => this.primitive(p, el)),
      metaAttributes: this.nvsets(el, 'meta_attributes'),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      utilization: this.nvsets(el, 'utilization'),
      extra: this.extra(el, S.SHAPES.group),
    };
  }

  private clone(el: XmlElement): Clone {
    const inner = el.children.filter((c) => c.name === 'primitive' || c.name === 'group');
    if (inner.length !== 1) {
      throw new CibError(`${describe(el)} must contain exactly one <primitive> or <group>, not ${inner.length}`, el.name);
    }
    return {
      kind: 'clone',
      element: el.name === 'master' ? 'master' : 'clone',
      ...fields(el, S.CONTAINER_ATTRS),
      id: required(el, 'id'),
      child: inner[0].name === 'group' ? this.group(inner[0], el) : this.primitive(inner[0], el),
      metaAttributes: this.nvsets(el, 'meta_attributes'),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      extra: this.extra(el, S.SHAPES.clone),
    };
  }

  // ---- constraints ----

  private constraint(el: XmlElement): Constraint {
    const sets = (): ResourceSet[] => named(el, 'resource_set').map((s) => this.resourceSet(s));
    switch (el.name) {
      case 'rsc_location':
        return {
          kind: 'rsc_location', ...fields(el, S.LOCATION_ATTRS), id: required(el, 'id'),
          rules: named(el, 'rule').map((r) => this.rule(r, el)), sets: sets(), extra: this.extra(el, S.SHAPES.rsc_location),
        };
      case 'rsc_colocation':
        return { kind: 'rsc_colocation', ...fields(el, S.COLOCATION_ATTRS), id: required(el, 'id'), sets: sets(), extra: this.extra(el, S.SHAPES.rsc_colocation) };
      case 'rsc_order':
        return { kind: 'rsc_order', ...fields(el, S.ORDER_ATTRS), id: required(el, 'id'), sets: sets(), extra: this.extra(el, S.SHAPES.rsc_order) };
      case 'rsc_ticket':
        return {
          kind: 'rsc_ticket', ...fields(el, S.TICKET_ATTRS), id: required(el, 'id'), ticket: required(el, 'ticket'),
          sets: sets(), extra: this.extra(el, S.SHAPES.rsc_ticket),
        };
      default:
        return { kind: 'xml', xml: el };
    }
  }

  private resourceSet(el: XmlElement): ResourceSet {
    return {
      ...fields(el, S.RESOURCE_SET_ATTRS),
      resources: named(el, 'resource_ref').map((r) => this.ref(r, el)),
      extra: this.extra(el, S.SHAPES.resource_set),
    };
  }

  private ref(el: XmlElement, parent: XmlElement): ResourceRef {
    return { id: required(el, 'id', parent), extra: this.extra(el, S.SHAPES.id) };
  }

  // ---- alerts, fencing topology, tags, ACLs ----

  private alert(el: XmlElement): Alert {
    return {
      ...fields(el, S.ALERT_ATTRS),
      id: required(el, 'id'),
      path: required(el, 'path'),
      metaAttributes: this.nvsets(el, 'meta_attributes'),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      recipients: named(el, 'recipient').map((r) => this.recipient(r, el)),
      extra: this.extra(el, S.SHAPES.alert),
    };
  }

  private recipient(el: XmlElement, alert: XmlElement): AlertRecipient {
    return {
      ...fields(el, S.RECIPIENT_ATTRS),
      id: required(el, 'id', alert),
      value: required(el, 'value', alert),
      metaAttributes: this.nvsets(el, 'meta_attributes'),
      instanceAttributes: this.nvsets(el, 'instance_attributes'),
      extra: this.extra(el, S.SHAPES.recipient),
    };
  }

  private fencingLevel(el: XmlElement): FencingLevel {
    return {
      ...fields(el, S.FENCING_LEVEL_ATTRS),
      id: required(el, 'id'),
      index: required(el, 'index'),
      devices: required(el, 'devices'),
      extra: this.extra(el, S.SHAPES['fencing-level']),
    };
  }

  private tag(el: XmlElement): Tag {
    return { id: required(el, 'id'), refs: named(el, 'obj_ref').map((r) => this.ref(r, el)), extra: this.extra(el, S.SHAPES.tag) };
  }

  private acl(el: XmlElement): AclEntry {
    switch (el.name) {
      case 'acl_role':
        return {
          kind: 'acl_role', ...fields(el, S.CONTAINER_ATTRS), id: required(el, 'id'),
          permissions: named(el, 'acl_permission').map((p) => ({
            ...fields(p, S.ACL_PERMISSION_ATTRS), id: required(p, 'id', el), access: required(p, 'kind', el), extra: this.extra(p, S.SHAPES.acl_permission),
          })),
          extra: this.extra(el, S.SHAPES.acl_role),
        };
      case 'acl_target':
      case 'acl_group':
        return {
          kind: el.name, ...fields(el, S.ACL_TARGET_ATTRS), id: required(el, 'id'),
          roles: named(el, 'role').map((r) => this.ref(r, el)), extra: this.extra(el, S.SHAPES.acl_target),
        };
      default:
        return { kind: 'xml', xml: el };
    }
  }

  // ---- status ----

  private status(el: XmlElement): Status {
    return { nodes: named(el, 'node_state').map((n) => this.nodeState(n)), extra: this.extra(el, S.SHAPES.status) };
  }

  private nodeState(el: XmlElement): NodeState {
    const state: NodeState = { ...fields(el, S.NODE_STATE_ATTRS), extra: this.extra(el, S.SHAPES.node_state) };
    const transient = single(el, 'transient_attributes');
    const lrm = single(el, 'lrm');
    if (transient) state.transientAttributes = this.transient(transient, el);
    if (lrm) state.lrm = this.lrm(lrm);
    return state;
  }

  private transient(el: XmlElement, parent: XmlElement): TransientAttributes {
    const sets = el.children.filter((c) => NVSET_ELEMENTS.has(c.name)).map((c) => this.nvset(c, parent));
    const out: TransientAttributes = { sets, extra: this.extra(el, S.SHAPES.transient_attributes) };
    if (el.attrs.id !== undefined) out.id = el.attrs.id;
    return out;
  }

  private lrm(el: XmlElement): Lrm {
    const list = single(el, 'lrm_resources');
    const out: Lrm = {
      resources: list ? named(list, 'lrm_resource').map((r) => this.lrmResource(r)) : [],
      extra: this.extra(el, S.SHAPES.lrm),
    };
    if (el.attrs.id !== undefined) out.id = el.attrs.id;
    if (list) out.listExtra = this.extra(list, S.SHAPES.lrm_resources);
    return out;
  }

  private lrmResource(el: XmlElement): LrmResource {
    const ops: LrmRscOp[] = [];
    for (const child of el.children) {
      if (child.name !== 'lrm_rsc_op') continue;
      const op = fields(child, S.LRM_RSC_OP_ATTRS) as unknown as LrmRscOp;
      if (op.id === undefined) throw missingAttribute(child, 'id', el);
      if (op.operation === undefined) throw missingAttribute(child, 'operation', el);
      op.extra = this.extra(child, S.SHAPES.lrm_rsc_op);
      ops.push(op);
    }
    return { ...fields(el, S.LRM_RESOURCE_ATTRS), id: required(el, 'id'), ops, extra: this.extra(el, S.SHAPES.lrm_resource) };
  }
}
