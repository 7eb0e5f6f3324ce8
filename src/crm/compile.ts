import { cloneXml, element, type XmlElement } from '../cib/xml.js';
import type {
  AttrSet,
  ConstraintResources,
  Expression,
  FencingTarget,
  NvPair,
  ResourceSet,
  Rule,
  Score,
  Statement,
} from './ast.js';

/**
 * The CIB section a statement's element goes in. Containers name their members with
 * `<crmsh-ref id=.../>` placeholders that loading replaces with the members' elements.
 */
export type Section = 'crm_config' | 'nodes' | 'resources' | 'constraints' | 'rsc_defaults' | 'op_defaults' | 'fencing-topology' | 'acls' | 'tags' | 'alerts';

export interface Compiled {
  /** The object's id as crmsh names it (`fencing_topology` for the topology, the uname for a node). */
  id: string;
  section: Section;
  element: XmlElement;
}

/** What the compiler needs to know about the CIB it compiles for. */
export interface CompileContext {
  /** The unames of the nodes already in the CIB: `fencing_topology DEV...` expands to them. */
  nodeNames: string[];
  /** The provider crmsh would pick for an ocf agent given without one. */
  pickProvider(type: string): string;
}

const DEFAULT_SET_IDS = { property: 'cib-bootstrap-options', rsc_defaults: 'rsc-options', op_defaults: 'op-options' } as const;

/** The object id a statement defines: what duplicates and updates are matched on. */
export function statementId(s: Statement): string {
  switch (s.kind) {
    case 'property':
    case 'rsc_defaults':
    case 'op_defaults':
      return s.id ?? s.idRef ?? DEFAULT_SET_IDS[s.kind];
    case 'node':
      return s.id ?? s.uname;
    case 'fencing_topology':
      return 'fencing_topology';
    case 'xml':
      return s.element.name === 'fencing-topology' ? 'fencing_topology' : (s.element.attrs.id ?? s.element.attrs.uname ?? '');
    default:
      return s.id;
  }
}

const XML_SECTIONS: Record<string, Section> = {
  cluster_property_set: 'crm_config',
  node: 'nodes',
  primitive: 'resources',
  template: 'resources',
  group: 'resources',
  clone: 'resources',
  master: 'resources',
  bundle: 'resources',
  rsc_location: 'constraints',
  rsc_colocation: 'constraints',
  rsc_order: 'constraints',
  rsc_ticket: 'constraints',
  'fencing-topology': 'fencing-topology',
  tag: 'tags',
  alert: 'alerts',
  acl_role: 'acls',
  acl_target: 'acls',
  acl_group: 'acls',
};

export const XML_OBJECTS = Object.keys(XML_SECTIONS);

export function xmlStatementSection(name: string): Section | undefined {
  return Object.hasOwn(XML_SECTIONS, name) ? XML_SECTIONS[name] : undefined;
}

/** Turns one statement into its CIB element, without the ids crmsh generates (IdStore.assign adds them). */
export function compileStatement(s: Statement, ctx: CompileContext): Compiled {
  const id = statementId(s);
  switch (s.kind) {
    case 'property': {
      const el = element('cluster_property_set', s.idRef !== undefined && s.id === undefined ? { 'id-ref': s.idRef } : { id });
      el.children.push(...s.rules.map(rule), ...s.pairs.map(nvpair));
      return { id, section: 'crm_config', element: el };
    }
    case 'rsc_defaults':
    case 'op_defaults': {
      const el = element('meta_attributes', s.idRef !== undefined && s.id === undefined ? { 'id-ref': s.idRef } : { id });
      el.children.push(...s.rules.map(rule), ...s.pairs.map(nvpair));
      return { id, section: s.kind, element: el };
    }
    case 'node': {
      const el = element('node', s.id !== undefined ? { id: s.id } : {});
      el.attrs.uname = s.uname;
      if (s.type !== undefined) el.attrs.type = s.type;
      if (s.description !== undefined) el.attrs.description = s.description;
      el.children.push(...s.sets.map(attrSet));
      return { id, section: 'nodes', element: el };
    }
    case 'primitive':
    case 'rsc_template': {
      const el = element(s.kind === 'primitive' ? 'primitive' : 'template', { id: s.id });
      if ('template' in s.agent) el.attrs.template = s.agent.template;
      else {
        el.attrs.class = s.agent.class;
        if (s.agent.class === 'ocf') el.attrs.provider = s.agent.provider ?? ctx.pickProvider(s.agent.type);
        el.attrs.type = s.agent.type;
      }
      if (s.description !== undefined) el.attrs.description = s.description;
      for (const part of s.parts) {
        if (part.kind === 'set') {
          el.children.push(attrSet(part.set));
          continue;
        }
        const ops = element('operations');
        if (part.id !== undefined) ops.attrs.id = part.id;
        if (part.idRef !== undefined) ops.attrs['id-ref'] = part.idRef;
        for (const op of part.ops) {
          const o = element('op', { name: op.name });
          for (const [k, v] of op.attrs) if (v !== undefined) o.attrs[k] = v;
          o.children.push(...op.sets.map(attrSet));
          ops.children.push(o);
        }
        el.children.push(ops);
      }
      return { id, section: 'resources', element: el };
    }
    case 'group': {
      const el = element('group', { id: s.id });
      if (s.description !== undefined) el.attrs.description = s.description;
      el.children.push(...s.sets.map(attrSet), ...s.members.map((m) => element('crmsh-ref', { id: m })));
      return { id, section: 'resources', element: el };
    }
    case 'clone':
    case 'ms': {
      const el = element(s.kind === 'clone' ? 'clone' : 'master', { id: s.id });
      if (s.description !== undefined) el.attrs.description = s.description;
      el.children.push(...s.sets.map(attrSet), element('crmsh-ref', { id: s.child }));
      return { id, section: 'resources', element: el };
    }
    case 'location': {
      const el = element('rsc_location', { id: s.id });
      if ('rsc' in s.target) el.attrs.rsc = s.target.rsc;
      else if ('pattern' in s.target) el.attrs['rsc-pattern'] = s.target.pattern;
      if (s.role !== undefined) el.attrs.role = s.role;
      if (s.resourceDiscovery !== undefined) el.attrs['resource-discovery'] = s.resourceDiscovery;
      if ('sets' in s.target) el.children.push(...s.target.sets.map((set) => resourceSet(set, 'role')));
      if ('node' in s.placement) {
        setScore(el, s.placement.score);
        el.attrs.node = s.placement.node;
      } else el.children.push(...s.placement.rules.map(rule));
      return { id, section: 'constraints', element: el };
    }
    case 'colocation': {
      const el = element('rsc_colocation', { id: s.id });
      setScore(el, s.score);
      if (s.nodeAttribute !== undefined) el.attrs['node-attribute'] = s.nodeAttribute;
      constraintResources(el, s.resources, ['rsc', 'with-rsc'], 'role');
      return { id, section: 'constraints', element: el };
    }
    case 'order': {
      const el = element('rsc_order', { id: s.id });
      if (s.orderKind !== undefined) el.attrs.kind = s.orderKind;
      if (s.symmetrical !== undefined) el.attrs.symmetrical = s.symmetrical;
      constraintResources(el, s.resources, ['first', 'then'], 'action');
      return { id, section: 'constraints', element: el };
    }
    case 'rsc_ticket': {
      const el = element('rsc_ticket', { id: s.id, ticket: s.ticket });
      if (s.lossPolicy !== undefined) el.attrs['loss-policy'] = s.lossPolicy;
      constraintResources(el, s.resources, ['rsc'], 'role');
      return { id, section: 'constraints', element: el };
    }
    case 'tag':
      return { id, section: 'tags', element: element('tag', { id: s.id }, s.refs.map((r) => element('obj_ref', { id: r }))) };
    case 'fencing_topology':
      return { id, section: 'fencing-topology', element: fencingTopology(s.levels, ctx.nodeNames) };
    case 'alert': {
      const el = element('alert', { id: s.id, path: s.path });
      if (s.description !== undefined) el.attrs.description = s.description;
      let recipients = 0;
      for (const part of s.parts) {
        if (part.kind === 'set') el.children.push(attrSet(part.set));
        else if (part.kind === 'select') {
          el.children.push(
            element(
              'select',
              {},
              part.selectors.map((sel) =>
                sel.kind === 'attributes' ? element('select_attributes', {}, sel.names.map((name) => element('attribute', { name }))) : element(`select_${sel.kind}`),
              ),
            ),
          );
        } else {
          recipients++;
          const r = element('recipient', { id: `${s.id}-recipient-${recipients}`, value: part.recipient.value });
          if (part.recipient.description !== undefined) r.attrs.description = part.recipient.description;
          r.children.push(...part.recipient.sets.map(attrSet));
          el.children.push(r);
        }
      }
      return { id, section: 'alerts', element: el };
    }
    case 'bundle': {
      const el = element('bundle', { id: s.id });
      if (s.description !== undefined) el.attrs.description = s.description;
      for (const part of s.parts) {
        if (part.kind === 'set') el.children.push(attrSet(part.set));
        else if (part.kind === 'primitive') el.children.push(element('crmsh-ref', { id: part.id }));
        else el.children.push(element(part.name, Object.fromEntries(part.attrs), part.mappings.map((m) => element(m.name, Object.fromEntries(m.attrs)))));
      }
      return { id, section: 'resources', element: el };
    }
    case 'role': {
      const el = element('acl_role', { id: s.id });
      if (s.description !== undefined) el.attrs.description = s.description;
      for (const p of s.permissions) {
        const perm = element('acl_permission', { kind: p.right });
        if ('xpath' in p.spec) perm.attrs.xpath = p.spec.xpath;
        else if ('reference' in p.spec) perm.attrs.reference = p.spec.reference;
        else {
          perm.attrs['object-type'] = p.spec.objectType;
          if (p.spec.attribute !== undefined) perm.attrs.attribute = p.spec.attribute;
        }
        if (p.id !== undefined) perm.attrs.id = p.id;
        if (p.description !== undefined) perm.attrs.description = p.description;
        el.children.push(perm);
      }
      return { id, section: 'acls', element: el };
    }
    case 'acl_target':
    case 'acl_group':
      return { id, section: 'acls', element: element(s.kind, { id: s.id }, s.roles.map((r) => element('role', { id: r }))) };
    case 'xml': {
      const section = xmlStatementSection(s.element.name) as Section;
      return { id, section, element: cloneXml(s.element) };
    }
  }
}

function nvpair(p: NvPair): XmlElement {
  if (p.idRef !== undefined) return element('nvpair', p.name !== undefined ? { 'id-ref': p.idRef, name: p.name } : { 'id-ref': p.idRef });
  const el = element('nvpair', p.id !== undefined ? { id: p.id } : {});
  if (p.name !== undefined) el.attrs.name = p.name;
  if (p.value !== undefined) el.attrs.value = p.value;
  return el;
}

function attrSet(set: AttrSet): XmlElement {
  if (set.idRef !== undefined) return element(set.tag, { 'id-ref': set.idRef });
  const el = element(set.tag, set.id !== undefined ? { id: set.id } : {});
  if (set.score !== undefined) el.attrs.score = set.score;
  el.children.push(...set.rules.map(rule), ...set.pairs.map(nvpair));
  return el;
}

function setScore(el: XmlElement, score: Score): void {
  if ('score' in score) el.attrs.score = score.score;
  else el.attrs['score-attribute'] = score.scoreAttribute;
}

function rule(r: Rule): XmlElement {
  if ('idRef' in r) return element('rule', r.role !== undefined ? { 'id-ref': r.idRef, role: r.role } : { 'id-ref': r.idRef });
  const el = element('rule', r.id !== undefined ? { id: r.id } : {});
  if (r.role !== undefined) el.attrs.role = r.role;
  setScore(el, r.score);
  if (r.booleanOp !== undefined) el.attrs['boolean-op'] = r.booleanOp;
  el.children.push(...r.expressions.map(expression));
  return el;
}

function expression(e: Expression): XmlElement {
  switch (e.kind) {
    case 'binary': {
      const el = element('expression', { operation: e.operation, attribute: e.attribute });
      if (e.type !== undefined) el.attrs.type = e.type;
      el.attrs.value = e.value;
      if (e.valueSource !== undefined) el.attrs['value-source'] = e.valueSource;
      return el;
    }
    case 'unary':
      return element('expression', { operation: e.operation, attribute: e.attribute });
    case 'date-compare':
      return element('date_expression', { operation: e.operation, [e.operation === 'lt' ? 'end' : 'start']: e.value });
    case 'date-range': {
      const el = element('date_expression', { operation: 'in_range' });
      if (e.start !== undefined) el.attrs.start = e.start;
      if (e.end !== undefined) el.attrs.end = e.end;
      if (e.duration.length > 0) el.children.push(element('duration', Object.fromEntries(e.duration)));
      return el;
    }
    case 'date-spec':
      return element('date_expression', { operation: 'date_spec' }, [element('date_spec', Object.fromEntries(e.spec))]);
  }
}

function resourceSet(set: ResourceSet, qualifier: 'role' | 'action'): XmlElement {
  const el = element('resource_set');
  if (!set.requireAll) el.attrs['require-all'] = 'false';
  if (!set.sequential) el.attrs.sequential = 'false';
  if (set.qualifier !== undefined) el.attrs[qualifier] = set.qualifier;
  el.children.push(...set.members.map((id) => element('resource_ref', { id })));
  return el;
}

function constraintResources(el: XmlElement, resources: ConstraintResources, names: string[], qualifier: 'role' | 'action'): void {
  if ('sets' in resources) {
    el.children.push(...resources.sets.map((s) => resourceSet(s, qualifier)));
    return;
  }
  resources.simple.forEach((ref, i) => {
    el.attrs[names[i]] = ref.id;
    if (ref.qualifier !== undefined) el.attrs[`${names[i]}-${ref.instance ? 'instance' : qualifier}`] = ref.qualifier;
  });
}

function fencingTopology(levels: { target: FencingTarget; devices: string }[], nodeNames: string[]): XmlElement {
  const expanded = levels.length > 0 && 'allNodes' in levels[0].target ? [...nodeNames].sort().flatMap((node) => levels.map((l) => ({ target: { node }, devices: l.devices }))) : levels;
  const counters = new Map<string, number>();
  const out = element('fencing-topology');
  for (const { target, devices } of expanded) {
    const key = 'node' in target ? `n:${target.node}` : 'pattern' in target ? `p:${target.pattern}` : 'attribute' in target ? `a:${target.attribute}` : 'all';
    const index = String(counters.get(key) ?? 1);
    counters.set(key, (counters.get(key) ?? 1) + 1);
    if ('node' in target) out.children.push(element('fencing-level', { target: target.node, index, devices }));
    else if ('pattern' in target) out.children.push(element('fencing-level', { index, devices, 'target-pattern': target.pattern }));
    else if ('attribute' in target) out.children.push(element('fencing-level', { index, devices, 'target-attribute': target.attribute, 'target-value': target.value }));
  }
  return out;
}
