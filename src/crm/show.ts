import { element, serializeXml, type XmlElement } from '../cib/xml.js';
import { collapseAclXpath } from './acl.js';
import { compileStatement } from './compile.js';
import { IdStore } from './ids.js';
import { parseCrm } from './parser.js';
import { sectionOf } from './load.js';

/** One configuration object as `show` lists it. */
export interface ShownObject {
  /** crm language keyword: node, primitive, rsc_template, group, clone, ms, location, ... */
  type: string;
  id: string;
  element: XmlElement;
}

export interface ShowOptions {
  /** Print `passw*` parameter values as `******` (crmsh's default). Off for round trips. */
  obscure?: boolean;
}

/** crmsh's listing order with sort_elements=yes: by kind, then by id. */
const RANK: Record<string, number> = {
  node: 0, rsc_template: 1, primitive: 2, bundle: 3, group: 4, ms: 5, clone: 6, tag: 8,
  location: 9, colocation: 9, order: 9, rsc_ticket: 10, fencing_topology: 10,
  property: 11, rsc_defaults: 12, op_defaults: 13, role: 14, acl_target: 15, acl_group: 15, alert: 16,
};

const RESOURCE_TYPES: Record<string, string> = { primitive: 'primitive', template: 'rsc_template', group: 'group', clone: 'clone', master: 'ms', bundle: 'bundle' };
const CONSTRAINT_TYPES: Record<string, string> = { rsc_location: 'location', rsc_colocation: 'colocation', rsc_order: 'order', rsc_ticket: 'rsc_ticket' };
const CONTAINERS = new Set(['group', 'clone', 'master', 'bundle']);
const ACL_TYPES: Record<string, string> = { acl_role: 'role', acl_target: 'acl_target', acl_group: 'acl_group' };

function resourceType(name: string): string | undefined {
  return Object.hasOwn(RESOURCE_TYPES, name) ? RESOURCE_TYPES[name] : undefined;
}

/** The configuration's objects in `show` order. */
export function listObjects(config: XmlElement): ShownObject[] {
  const out: ShownObject[] = [];
  for (const n of sectionOf(config, 'nodes', false)?.children ?? []) if (n.name === 'node') out.push({ type: 'node', id: n.attrs.id ?? n.attrs.uname, element: n });
  const visit = (parent: XmlElement): void => {
    for (const r of parent.children) {
      const type = resourceType(r.name);
      if (!type) continue;
      out.push({ type, id: r.attrs.id, element: r });
      if (CONTAINERS.has(r.name)) visit(r);
    }
  };
  const resources = sectionOf(config, 'resources', false);
  if (resources) visit(resources);
  for (const c of sectionOf(config, 'constraints', false)?.children ?? []) if (Object.hasOwn(CONSTRAINT_TYPES, c.name)) out.push({ type: CONSTRAINT_TYPES[c.name], id: c.attrs.id, element: c });
  for (const t of sectionOf(config, 'tags', false)?.children ?? []) if (t.name === 'tag') out.push({ type: 'tag', id: t.attrs.id, element: t });
  const topology = sectionOf(config, 'fencing-topology', false);
  if (topology) out.push({ type: 'fencing_topology', id: 'fencing_topology', element: topology });
  for (const p of sectionOf(config, 'crm_config', false)?.children ?? []) if (p.name === 'cluster_property_set') out.push({ type: 'property', id: p.attrs.id, element: p });
  for (const kind of ['rsc_defaults', 'op_defaults'] as const) {
    for (const m of sectionOf(config, kind, false)?.children ?? []) if (m.name === 'meta_attributes') out.push({ type: kind, id: m.attrs.id, element: m });
  }
  for (const a of sectionOf(config, 'acls', false)?.children ?? []) if (Object.hasOwn(ACL_TYPES, a.name)) out.push({ type: ACL_TYPES[a.name], id: a.attrs.id, element: a });
  for (const a of sectionOf(config, 'alerts', false)?.children ?? []) if (a.name === 'alert') out.push({ type: 'alert', id: a.attrs.id, element: a });
  return out.sort((a, b) => RANK[a.type] - RANK[b.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `crm configure show`: the configuration (or the objects named) in the crm language. */
export function showConfiguration(config: XmlElement, ids: string[] = [], options: ShowOptions = {}): string {
  const nodeNames = (sectionOf(config, 'nodes', false)?.children ?? []).flatMap((n) => (n.name === 'node' ? [n.attrs.uname ?? n.attrs.id] : []));
  const objects = listObjects(config).filter((o) => ids.length === 0 || ids.includes(o.id));
  return objects.map((o) => showObject(o, { obscure: options.obscure ?? true, nodeNames }) + '\n').join('');
}

interface Ctx {
  obscure: boolean;
  /** The CIB's node names: `fencing_topology DEV...` without targets means all of them. */
  nodeNames: string[];
}

/**
 * One object in the crm language; an object the language cannot express (or not so that it reads
 * back the same) is shown as an `xml` statement, as crmsh does.
 */
export function showObject(o: ShownObject, ctx: Ctx): string {
  const text = render(o, { ...ctx, obscure: false });
  if (text !== undefined && readsBackTheSame(text, o, ctx.nodeNames)) return ctx.obscure ? (render(o, ctx) as string) : text;
  return 'xml ' + serializeXml(o.element).trimEnd().split('\n').join(' \\\n');
}

function readsBackTheSame(text: string, o: ShownObject, nodeNames: string[]): boolean {
  try {
    const statements = parseCrm(text, 'show');
    if (statements.length !== 1) return false;
    const compiled = compileStatement(statements[0], { nodeNames, pickProvider: () => o.element.attrs.provider ?? 'heartbeat' });
    new IdStore().assign(compiled.element);
    return JSON.stringify(shape(compiled.element, true)) === JSON.stringify(shape(o.element, true));
  } catch {
    return false;
  }
}

/** What must survive a print and re-read: everything but generated sub-ids; members by reference. */
function shape(el: XmlElement, top: boolean): unknown {
  const attrs = Object.entries(el.attrs).filter(([k]) => top || k !== 'id' || ['resource_ref', 'obj_ref', 'crmsh-ref', 'role'].includes(el.name)).sort();
  const children = el.children.map((c) => shape(CONTAINERS.has(el.name) && resourceType(c.name) ? element('crmsh-ref', { id: c.attrs.id }) : c, false));
  return { name: el.name, attrs, children, text: el.text?.trim() ?? '' };
}

const NOQUOTES = /^[\w.-]+$/;

function quoteWrap(v: string): string {
  if (NOQUOTES.test(v)) return v;
  return v.includes('"') ? `"${v.replace(/"/g, '\\"')}"` : `"${v}"`;
}

function nvpairFormat(name: string, value: string | undefined): string {
  return value === undefined ? name : `${name}=${quoteWrap(value)}`;
}

function obscured(name: string | undefined, value: string | undefined, ctx: Ctx): string | undefined {
  return ctx.obscure && value !== undefined && name !== undefined && name.startsWith('passw') ? '******' : value;
}

function nvpair(nv: XmlElement, ctx: Ctx): string {
  if (nv.attrs['id-ref'] !== undefined) return nv.attrs.name !== undefined ? `@${nv.attrs['id-ref']}:${nv.attrs.name}` : `@${nv.attrs['id-ref']}`;
  return nvpairFormat(nv.attrs.name ?? '', obscured(nv.attrs.name, nv.attrs.value, ctx));
}

function score(el: XmlElement): string {
  const s = el.attrs.score;
  if (s === undefined) return el.attrs['score-attribute'] ?? '';
  return s.replace('INFINITY', 'inf');
}

function attrSet(keyword: string, set: XmlElement, ctx: Ctx): string {
  const parts = [keyword];
  if (set.attrs['id-ref'] !== undefined) parts.push(nvpairFormat('$id-ref', set.attrs['id-ref']));
  if (set.attrs.score !== undefined) parts.push(`${set.attrs.score}:`);
  for (const c of set.children) if (c.name === 'rule') parts.push(`rule ${rule(c)}`);
  for (const c of set.children) if (c.name === 'nvpair') parts.push(nvpair(c, ctx));
  return parts.join(' ');
}

function rule(r: XmlElement): string {
  if (r.attrs['id-ref'] !== undefined) return nvpairFormat('$id-ref', r.attrs['id-ref']);
  const parts: string[] = [];
  if (r.attrs.role !== undefined) parts.push(nvpairFormat('$role', r.attrs.role));
  if (r.attrs.score !== 'INFINITY') {
    const s = score(r);
    if (s) parts.push(`${s}:`);
  }
  const op = r.attrs['boolean-op'] ?? 'and';
  parts.push(r.children.filter((c) => c.name === 'expression' || c.name === 'date_expression').map(expression).join(` ${op} `));
  return parts.join(' ');
}

function expression(e: XmlElement): string {
  if (e.name === 'date_expression') {
    const op = e.attrs.operation;
    const parts = ['date', op === 'in_range' ? 'in' : op === 'date_spec' ? 'spec' : op];
    if (op === 'lt' || op === 'gt') parts.push(quoteWrap(e.attrs[op === 'lt' ? 'end' : 'start'] ?? ''));
    else {
      if (op === 'in_range') for (const k of ['start', 'end']) if (e.attrs[k] !== undefined) parts.push(nvpairFormat(k, e.attrs[k]));
      for (const c of e.children) {
        if (c.name === 'duration' || c.name === 'date_spec') for (const [k, v] of Object.entries(c.attrs)) if (k !== 'id') parts.push(nvpairFormat(k, v));
      }
    }
    return parts.join(' ');
  }
  const op = e.attrs.type ? `${e.attrs.type}:${e.attrs.operation}` : e.attrs.operation;
  const value = e.attrs.value;
  if (!value) return `${op} ${e.attrs.attribute}`;
  const source = e.attrs['value-source'];
  return source && source !== 'literal' ? `${e.attrs.attribute} ${op} ${source}{${value}}` : `${e.attrs.attribute} ${op} ${value}`;
}

function rscQualified(el: XmlElement, name: string, qualifier: string): string {
  const q = el.attrs[`${name}-${qualifier}`] ?? el.attrs[`${name}-instance`];
  return q !== undefined ? `${el.attrs[name]}:${q}` : el.attrs[name];
}

function resourceSets(el: XmlElement, type: string): string[] {
  const col: string[] = [];
  let count = 0;
  let sequential: string | undefined;
  let requireAll: string | undefined;
  const bool = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : !['false', 'no', 'off', 'n', '0'].includes(v.toLowerCase()));
  for (const set of el.children.filter((c) => c.name === 'resource_set')) {
    sequential = set.attrs.sequential;
    requireAll = set.attrs['require-all'];
    const seq = bool(sequential);
    const all = bool(requireAll);
    if (all === false) col.push('[');
    else if (seq === false) col.push('(');
    const q = type === 'order' ? set.attrs.action : set.attrs.role;
    for (const ref of set.children.filter((c) => c.name === 'resource_ref')) {
      col.push(q !== undefined ? `${ref.attrs.id}:${q}` : ref.attrs.id);
      count++;
    }
    if (all === false) {
      if (seq !== false) col.push(nvpairFormat('sequential', 'true'));
      col.push(']');
    } else if (seq === false) col.push(')');
  }
  const seqAll = bool(sequential) !== false && bool(requireAll) !== false;
  const ticket = type === 'rsc_ticket';
  // Without the marker, two plain resources would read back as a simple constraint, not a set.
  if (type !== 'location' && ((seqAll && !ticket && count <= 2) || (ticket && count <= 1))) col.unshift('_rsc_set_');
  return col;
}

function hasSets(el: XmlElement): boolean {
  return el.children.some((c) => c.name === 'resource_set');
}

function render(o: ShownObject, ctx: Ctx): string | undefined {
  const el = o.element;
  const lines: string[] = [];
  const sets = (names: Record<string, string>): void => {
    for (const c of el.children) if (names[c.name]) lines.push(attrSet(names[c.name], c, ctx));
  };
  const description = (): void => {
    if (el.attrs.description !== undefined) lines.push(nvpairFormat('description', el.attrs.description));
  };
  switch (o.type) {
    case 'node': {
      const uname = el.attrs.uname ?? o.id;
      let head = 'node';
      if (o.id !== uname) head += NOQUOTES.test(o.id) ? ` ${o.id}:` : ` $id="${o.id}"`;
      head += ` ${uname}`;
      if (el.attrs.type !== undefined && el.attrs.type !== 'normal' && el.attrs.type !== 'member') head += `:${el.attrs.type}`;
      lines.push(head);
      description();
      sets({ instance_attributes: 'attributes', utilization: 'utilization' });
      break;
    }
    case 'primitive':
    case 'rsc_template': {
      const spec = el.attrs.template !== undefined ? `@${el.attrs.template}` : agentSpec(el);
      lines.push(`${o.type} ${o.id} ${spec}`);
      description();
      for (const c of el.children) {
        const kw = ({ instance_attributes: 'params', meta_attributes: 'meta', utilization: 'utilization' } as Record<string, string>)[c.name];
        if (kw) lines.push(attrSet(kw, c, ctx));
        else if (c.name === 'operations') {
          if (c.attrs.id !== undefined || c.attrs['id-ref'] !== undefined) {
            lines.push(['operations', ...(c.attrs.id !== undefined ? [nvpairFormat('$id', c.attrs.id)] : []), ...(c.attrs['id-ref'] !== undefined ? [nvpairFormat('$id-ref', c.attrs['id-ref'])] : [])].join(' '));
          }
          for (const op of c.children.filter((x) => x.name === 'op')) {
            lines.push(['op', op.attrs.name, ...Object.entries(op.attrs).filter(([k]) => k !== 'name' && k !== 'id').map(([k, v]) => nvpairFormat(k, v))].join(' '));
            for (const s of op.children) {
              const okw = ({ instance_attributes: 'op_params', meta_attributes: 'op_meta' } as Record<string, string>)[s.name];
              if (okw) lines.push(attrSet(okw, s, ctx));
            }
          }
        }
      }
      break;
    }
    case 'group':
    case 'clone':
    case 'ms': {
      const members = el.children.filter((c) => resourceType(c.name)).map((c) => c.attrs.id);
      lines.push([o.type, o.id, ...members].join(' '));
      description();
      sets({ instance_attributes: 'params', meta_attributes: 'meta' });
      break;
    }
    case 'location': {
      let head = `location ${o.id} `;
      if (el.attrs.rsc !== undefined) head += el.attrs.rsc;
      else if (el.attrs['rsc-pattern'] !== undefined) head += `/${el.attrs['rsc-pattern']}/`;
      else head += `{ ${resourceSets(el, 'location').join(' ')} }`;
      if (el.attrs.role !== undefined) head += ` ${nvpairFormat('role', el.attrs.role)}`;
      if (el.attrs['resource-discovery'] !== undefined) head += ` ${nvpairFormat('resource-discovery', el.attrs['resource-discovery'])}`;
      if (el.attrs.node !== undefined) head += ` ${score(el)}: ${el.attrs.node}`;
      lines.push(head);
      for (const r of el.children.filter((c) => c.name === 'rule')) lines.push(`rule ${rule(r)}`);
      break;
    }
    case 'colocation': {
      const rscs = hasSets(el) ? resourceSets(el, 'colocation') : [rscQualified(el, 'rsc', 'role'), rscQualified(el, 'with-rsc', 'role')];
      const tail = el.attrs['node-attribute'] !== undefined ? [nvpairFormat('node-attribute', el.attrs['node-attribute'])] : [];
      lines.push([`colocation ${o.id} ${score(el)}:`, ...rscs, ...tail].join(' '));
      break;
    }
    case 'order': {
      const kind = el.attrs.kind !== undefined ? [`${el.attrs.kind}:`] : el.attrs.score !== undefined ? [`${score(el)}:`] : [];
      const rscs = hasSets(el) ? resourceSets(el, 'order') : [rscQualified(el, 'first', 'action'), rscQualified(el, 'then', 'action')];
      const tail = el.attrs.symmetrical !== undefined ? [nvpairFormat('symmetrical', el.attrs.symmetrical)] : [];
      lines.push([`order ${o.id}`, ...kind, ...rscs, ...tail].join(' '));
      break;
    }
    case 'rsc_ticket': {
      const rscs = hasSets(el) ? resourceSets(el, 'rsc_ticket') : [rscQualified(el, 'rsc', 'role')];
      const tail = el.attrs['loss-policy'] !== undefined ? [nvpairFormat('loss-policy', el.attrs['loss-policy'])] : [];
      lines.push([`rsc_ticket ${o.id} ${el.attrs.ticket}:`, ...rscs, ...tail].join(' '));
      break;
    }
    case 'tag':
      lines.push(['tag', o.id, ...el.children.filter((c) => c.name === 'obj_ref').map((c) => c.attrs.id)].join(' '));
      break;
    case 'fencing_topology':
      lines.push(...fencingLines(el, ctx.nodeNames.length));
      break;
    case 'property':
    case 'rsc_defaults':
    case 'op_defaults': {
      lines.push(`${o.type} ${NOQUOTES.test(o.id) ? `${o.id}:` : `$id="${o.id}"`}`);
      if (el.children.some((c) => c.name === 'rule')) return undefined;
      for (const c of el.children) if (c.name === 'nvpair') lines.push(nvpair(c, ctx));
      break;
    }
    case 'alert': {
      lines.push(`alert ${o.id} ${quoteWrap(el.attrs.path ?? '')}`);
      description();
      for (const c of el.children) {
        if (c.name === 'instance_attributes' || c.name === 'meta_attributes') lines.push(attrSet(c.name === 'meta_attributes' ? 'meta' : 'attributes', c, ctx));
        else if (c.name === 'select') {
          const words = ['select'];
          for (const s of c.children) {
            if (!s.name.startsWith('select_')) continue;
            words.push(s.name.slice('select_'.length));
            if (s.name === 'select_attributes') words.push('{', ...s.children.filter((a) => a.name === 'attribute').map((a) => a.attrs.name), '}');
          }
          lines.push(words.join(' '));
        } else if (c.name === 'recipient') {
          const words = ['to', quoteWrap(c.attrs.value ?? '')];
          if (c.attrs.description !== undefined) words.push(nvpairFormat('description', c.attrs.description));
          for (const s of c.children) if (s.name === 'instance_attributes' || s.name === 'meta_attributes') words.push(attrSet(s.name === 'meta_attributes' ? 'meta' : 'attributes', s, ctx));
          lines.push(words.join(' '));
        }
      }
      break;
    }
    case 'bundle': {
      lines.push(`bundle ${o.id}`);
      description();
      // In the XML's order, not crmsh's (meta before primitive), so the text reads back to the same XML.
      for (const c of el.children) {
        if (c.name === 'meta_attributes') lines.push(attrSet('meta', c, ctx));
        else if (c.name === 'primitive') lines.push(`primitive ${c.attrs.id}`);
        else if (['docker', 'podman', 'rkt', 'network', 'storage'].includes(c.name)) {
          const words = [c.name, ...Object.entries(c.attrs).map(([k, v]) => nvpairFormat(k, v))];
          for (const m of c.children) words.push(m.name, ...Object.entries(m.attrs).map(([k, v]) => nvpairFormat(k, v)));
          lines.push(words.join(' '));
        } else return undefined;
      }
      break;
    }
    case 'role': {
      lines.push(`role ${o.id}`);
      description();
      for (const p of el.children) {
        if (p.name !== 'acl_permission') return undefined;
        const words = [p.attrs.kind];
        // A generated id (ROLE-N) is left out, as crmsh does; one chosen by the writer is kept.
        if (p.attrs.id !== undefined && !new RegExp(`^${o.id.replace(/[.]/g, '\\.')}-\\d+$`).test(p.attrs.id)) words.push(nvpairFormat('$id', p.attrs.id));
        if (p.attrs.description !== undefined) words.push(nvpairFormat('description', p.attrs.description));
        if (p.attrs.xpath !== undefined) words.push(collapseAclXpath(p.attrs.xpath) ?? `xpath:${quoteWrap(p.attrs.xpath)}`);
        if (p.attrs.reference !== undefined) words.push(`ref:${quoteWrap(p.attrs.reference)}`);
        if (p.attrs.attribute !== undefined) words.push(`attr:${quoteWrap(p.attrs.attribute)}`);
        if (p.attrs['object-type'] !== undefined) words.push(`type:${quoteWrap(p.attrs['object-type'])}`);
        lines.push(words.join(' '));
      }
      break;
    }
    case 'acl_target':
    case 'acl_group':
      lines.push(`${o.type} ${o.id}`, ...el.children.map((r) => r.attrs.id));
      break;
    default:
      return undefined;
  }
  return lines.join(' \\\n\t');
}

function agentSpec(el: XmlElement): string {
  if (el.attrs.class === 'ocf') return el.attrs.provider === 'heartbeat' ? el.attrs.type : `ocf:${el.attrs.provider}:${el.attrs.type}`;
  return `${el.attrs.class}:${el.attrs.type}`;
}

function fencingLines(el: XmlElement, nodeCount: number): string[] {
  const byTarget = new Map<string, { label: string; node: boolean; levels: [number, string][] }>();
  for (const level of el.children.filter((c) => c.name === 'fencing-level')) {
    let key: string;
    let label: string;
    if (level.attrs['target-pattern'] !== undefined) [key, label] = [`p:${level.attrs['target-pattern']}`, `pattern:${level.attrs['target-pattern']}`];
    else if (level.attrs['target-attribute'] !== undefined) [key, label] = [`a:${level.attrs['target-attribute']}=${level.attrs['target-value']}`, `attr:${level.attrs['target-attribute']}=${level.attrs['target-value']}`];
    else [key, label] = [`n:${level.attrs.target}`, `${level.attrs.target}:`];
    const entry = byTarget.get(key) ?? { label, node: key.startsWith('n:'), levels: [] };
    entry.levels.push([Number(level.attrs.index), level.attrs.devices]);
    byTarget.set(key, entry);
  }
  const devicesOf = (e: { levels: [number, string][] }): string => e.levels.sort((a, b) => a[0] - b[0]).map(([, d]) => d).join(' ');
  const distinct = new Set([...byTarget.values()].map(devicesOf));
  if (distinct.size === 1 && byTarget.size === nodeCount && [...byTarget.values()].every((e) => e.node)) return [`fencing_topology ${[...distinct][0]}`];
  return ['fencing_topology', ...[...byTarget.values()].map((e) => `${e.label} ${devicesOf(e)}`)];
}
