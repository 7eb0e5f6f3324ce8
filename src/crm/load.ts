import { cloneXml, element, type XmlElement } from '../cib/xml.js';
import type { Statement } from './ast.js';
import { compileStatement, statementId, type CompileContext, type Section } from './compile.js';
import { CrmCommitError, type Problem } from './errors.js';
import { IdStore } from './ids.js';
import { redirectConstraints } from './redirect.js';

export type LoadMethod = 'update' | 'replace';

export interface LoadResult {
  cib: XmlElement;
  /** Ids of the objects this load created or changed: agent checks look at these only. */
  touched: Set<string>;
  /** Changes the load made beyond what was written: constraints redirected to a new container. */
  notes: string[];
}

/** The order crmsh creates objects in (sort_elements=yes): simple objects first, containers after their members. */
const RANK: Record<string, number> = {
  node: 0, rsc_template: 1, template: 1, primitive: 2, bundle: 3, group: 4, ms: 5, master: 5, clone: 6, tag: 8,
  location: 9, colocation: 9, order: 9, rsc_location: 9, rsc_colocation: 9, rsc_order: 9,
  rsc_ticket: 10, fencing_topology: 10, 'fencing-topology': 10,
  property: 11, cluster_property_set: 11, rsc_defaults: 12, op_defaults: 13,
  role: 14, acl_role: 14, acl_target: 15, acl_group: 15, alert: 16,
};

const SECTIONS: Section[] = ['crm_config', 'nodes', 'resources', 'constraints', 'rsc_defaults', 'op_defaults', 'fencing-topology', 'acls', 'tags', 'alerts'];
const RESOURCE_TAGS = new Set(['primitive', 'template', 'group', 'clone', 'master', 'bundle']);
const CONTAINERS = new Set(['group', 'clone', 'master', 'bundle']);

function rankOf(s: Statement): number {
  const name = s.kind === 'xml' ? s.element.name : s.kind;
  return Object.hasOwn(RANK, name) ? RANK[name] : 100;
}

export function configurationOf(cib: XmlElement): XmlElement {
  if (cib.name === 'configuration') return cib;
  let config = cib.children.find((c) => c.name === 'configuration');
  if (!config) {
    config = element('configuration', {}, [element('crm_config'), element('nodes'), element('resources'), element('constraints')]);
    cib.children.unshift(config);
  }
  return config;
}

export function sectionOf(config: XmlElement, name: Section, create = true): XmlElement | undefined {
  let section = config.children.find((c) => c.name === name);
  if (!section && create) {
    section = element(name);
    config.children.push(section);
  }
  return section;
}

interface Located {
  el: XmlElement;
  parent: XmlElement;
  section: Section;
}

/** Finds a top-level object (or a resource inside a container) by the id a statement would give it. */
function findObject(config: XmlElement, id: string): Located | undefined {
  for (const section of config.children) {
    const name = section.name as Section;
    if (!SECTIONS.includes(name)) continue;
    if (name === 'fencing-topology') {
      if (id === 'fencing_topology') return { el: section, parent: config, section: name };
      continue;
    }
    const found = findIn(section, name, id);
    if (found) return found;
  }
  return undefined;
}

function objectIds(config: XmlElement): Set<string> {
  const ids = new Set<string>();
  const visit = (parent: XmlElement, section: string): void => {
    for (const el of parent.children) {
      if (el.attrs.id !== undefined) ids.add(el.attrs.id);
      if (el.name === 'node' && el.attrs.uname !== undefined) ids.add(el.attrs.uname);
      if (section === 'resources' && CONTAINERS.has(el.name)) visit(el, section);
    }
  };
  for (const section of config.children) {
    if (section.name === 'fencing-topology') ids.add('fencing_topology');
    else if (SECTIONS.includes(section.name as Section)) visit(section, section.name);
  }
  return ids;
}

function findIn(parent: XmlElement, section: Section, id: string): Located | undefined {
  for (const el of parent.children) {
    if (el.name === 'crmsh-ref') continue;
    if (el.attrs.id === id || (el.name === 'node' && el.attrs.uname === id)) return { el, parent, section };
    if (section === 'resources' && CONTAINERS.has(el.name)) {
      const inner = findIn(el, section, id);
      if (inner) return inner;
    }
  }
  return undefined;
}

export interface LoadContext extends Omit<CompileContext, 'nodeNames'> {
  method: LoadMethod;
}

/**
 * Applies parsed statements to a CIB as `crm configure load update|replace` does: same-id objects
 * are replaced (property sets and nodes merged on update), new ones appended in crmsh's order,
 * containers gather their members. Returns a new CIB; the input is not modified.
 */
export function applyStatements(cib: XmlElement, statements: Statement[], ctx: LoadContext): LoadResult {
  checkDuplicates(statements);
  const out = cloneXml(cib);
  const config = configurationOf(out);
  if (ctx.method === 'replace') {
    // As crmsh's erase: every object goes but the nodes, which belong to the membership layer.
    for (const section of config.children) if (SECTIONS.includes(section.name as Section) && section.name !== 'nodes') section.children = [];
  }
  const nodeNames = (sectionOf(config, 'nodes', false)?.children ?? []).flatMap((n) => (n.attrs.uname !== undefined ? [n.attrs.uname] : []));
  const store = IdStore.ofTree(config);
  // Ids of the objects in the CIB: a statement naming none of them skips the search (big loads).
  const known = objectIds(config);
  const touched = new Set<string>();
  const notes: string[] = [];
  const ordered = statements.map((s, i) => ({ s, i })).sort((a, b) => rankOf(a.s) - rankOf(b.s) || a.i - b.i);
  for (const { s } of ordered) {
    const compiled = compileStatement(s, { ...ctx, nodeNames });
    const id = statementId(s);
    const existing = known.has(id) ? findObject(config, id) : undefined;
    touched.add(id);
    known.add(id);
    if (existing && existing.section !== compiled.section) {
      throw new CrmCommitError([{ id, message: `${s.at.line}: ${id} already exists as a ${existing.el.name}; cannot redefine it as a ${compiled.element.name}` }], false);
    }
    const mergeable = ctx.method === 'update' && existing && compiled.element.name === existing.el.name && ['property', 'rsc_defaults', 'op_defaults'].includes(s.kind);
    if (existing && mergeable) {
      mergeInto(existing.el, compiled.element, store);
      continue;
    }
    if (existing) {
      if (CONTAINERS.has(existing.el.name)) relinkMembersToTop(existing.el, config);
      store.assign(compiled.element, existing.el);
      const index = existing.parent.children.indexOf(existing.el);
      if (existing.section === 'fencing-topology') existing.el.children = compiled.element.children;
      else existing.parent.children[index] = compiled.element;
    } else {
      store.assign(compiled.element);
      const section = sectionOf(config, compiled.section) as XmlElement;
      if (compiled.section === 'fencing-topology') section.children.push(...compiled.element.children);
      else section.children.push(compiled.element);
    }
    // Members come first in this order, so a container can take them in now, before the
    // constraints of this load exist: only constraints already in the CIB are redirected.
    if (CONTAINERS.has(compiled.element.name)) {
      const moved = gatherMembers(compiled.element, config);
      const constraints = sectionOf(config, 'constraints', false);
      // crmsh redirects constraints to a new group or clone only; a bundle's primitive keeps its own.
      if (!existing && constraints && moved.length > 0 && compiled.element.name !== 'bundle') notes.push(...redirectConstraints(constraints, compiled.element, moved, store));
    }
  }
  return { cib: out, touched, notes };
}

function checkDuplicates(statements: Statement[]): void {
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  for (const s of statements) {
    const key = `${s.kind === 'node' ? 'node' : 'object'}:${statementId(s)}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push({ id: statementId(s), message: `${s.at.line}: ${statementId(s)} is defined twice (first at line ${first})` });
    else seen.set(key, s.at.line);
  }
  if (problems.length > 0) throw new CrmCommitError(problems, false);
}

/** `load update` of a property set adds to what is there instead of replacing it. */
function mergeInto(target: XmlElement, source: XmlElement, store: IdStore): void {
  for (const [k, v] of Object.entries(source.attrs)) if (k !== 'id') target.attrs[k] = v;
  const prefix = target.name === 'node' ? (target.attrs.uname ?? target.attrs.id) : target.attrs.id;
  for (const child of source.children) {
    if (child.name === 'nvpair') {
      const same = target.children.find((c) => c.name === 'nvpair' && c.attrs.name === child.attrs.name);
      if (same) {
        if (child.attrs.value === undefined) delete same.attrs.value;
        else same.attrs.value = child.attrs.value;
        continue;
      }
    } else if (child.name !== 'rule') {
      const same = target.children.find((c) => c.name === child.name && (child.attrs.id === undefined || c.attrs.id === child.attrs.id));
      if (same) {
        mergeInto(same, child, store);
        continue;
      }
    }
    const copy = cloneXml(child);
    assignUnder(copy, prefix ?? '', store);
    target.children.push(copy);
  }
}

function assignUnder(el: XmlElement, prefix: string, store: IdStore): void {
  const holder = element('holder', { id: prefix }, [el]);
  store.assign(holder);
}

/** Members of a container being replaced go back to the top level until the new definition gathers them. */
function relinkMembersToTop(container: XmlElement, config: XmlElement): void {
  const resources = sectionOf(config, 'resources') as XmlElement;
  for (const child of container.children) if (RESOURCE_TAGS.has(child.name)) resources.children.push(child);
  container.children = container.children.filter((c) => !RESOURCE_TAGS.has(c.name));
}

/** Puts the members in place of their placeholders; returns the ids of those that moved in. */
function gatherMembers(container: XmlElement, config: XmlElement): string[] {
  const resources = sectionOf(config, 'resources') as XmlElement;
  const moved: string[] = [];
  const kind = container.name === 'master' ? 'ms' : container.name;
  const problems: Problem[] = [];
  container.children = container.children.map((c) => {
    if (c.name !== 'crmsh-ref') return c;
    const memberId = c.attrs.id;
    const found = findIn(resources, 'resources', memberId);
    if (!found || !RESOURCE_TAGS.has(found.el.name)) {
      problems.push({ id: container.attrs.id, message: `${kind} ${container.attrs.id} refers to ${memberId}, which does not exist` });
      return c;
    }
    const member = found.el;
    const allowed = container.name === 'group' || container.name === 'bundle' ? member.name === 'primitive' : member.name === 'primitive' || member.name === 'group';
    if (!allowed) {
      problems.push({ id: container.attrs.id, message: `${kind} ${container.attrs.id} cannot contain ${member.name} ${memberId}` });
      return c;
    }
    const parent = found.parent;
    if (parent !== resources && parent !== container) {
      problems.push({ id: container.attrs.id, message: `cannot create ${kind} ${container.attrs.id}: ${memberId} is already in ${parent.name === 'master' ? 'ms' : parent.name} ${parent.attrs.id}` });
      return c;
    }
    if (parent !== container) moved.push(memberId);
    parent.children.splice(parent.children.indexOf(member), 1);
    return member;
  });
  if (problems.length > 0) throw new CrmCommitError(problems, false);
  return moved;
}
