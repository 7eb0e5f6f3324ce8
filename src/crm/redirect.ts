import type { XmlElement } from '../cib/xml.js';
import { compileStatement } from './compile.js';
import type { IdStore } from './ids.js';
import { parseCrm } from './parser.js';
import { showObject } from './show.js';

const REF_ATTRS = ['rsc', 'with-rsc', 'first', 'then'];
const TYPES: Record<string, string> = { rsc_location: 'location', rsc_colocation: 'colocation', rsc_order: 'order', rsc_ticket: 'rsc_ticket' };

/**
 * What crmsh does when a new group or clone takes in resources that constraints already name: the
 * constraints are redirected to the container, duplicate set members dropped, a set constraint
 * left with two resources rewritten as a simple one, and constraints that now tie the container
 * to itself removed. Returns a note per constraint changed, for the user.
 */
export function redirectConstraints(constraints: XmlElement, container: XmlElement, members: string[], store: IdStore): string[] {
  const notes: string[] = [];
  const kind = container.name === 'master' ? 'ms' : container.name;
  const target = container.attrs.id;
  constraints.children = constraints.children.map((c) => {
    let modified = false;
    for (const attr of REF_ATTRS) {
      if (c.attrs[attr] !== undefined && members.includes(c.attrs[attr])) {
        c.attrs[attr] = target;
        modified = true;
      }
    }
    const sets = c.children.filter((s) => s.name === 'resource_set');
    const refs = sets.flatMap((s) => s.children.filter((r) => r.name === 'resource_ref'));
    if (refs.length === 0) {
      if (modified) notes.push(`constraint ${c.attrs.id} now refers to ${kind} ${target}`);
      return c;
    }
    for (const r of refs) {
      if (members.includes(r.attrs.id)) {
        r.attrs.id = target;
        modified = true;
      }
    }
    if (!modified) return c;
    notes.push(`constraint ${c.attrs.id} now refers to ${kind} ${target}`);
    const remaining = new Map<string, number>();
    for (const r of refs) remaining.set(r.attrs.id, (remaining.get(r.attrs.id) ?? 0) + 1);
    // Of repeated members, the last mention stays.
    for (const s of sets) {
      s.children = s.children.filter((r) => {
        const n = remaining.get(r.attrs.id) ?? 0;
        if (r.name !== 'resource_ref' || n <= 1) return true;
        remaining.set(r.attrs.id, n - 1);
        return false;
      });
    }
    const total = [...remaining.values()].reduce((a, b) => a + b, 0);
    return total === 2 ? asSimple(c, store) : c;
  });
  constraints.children = constraints.children.filter((c) => {
    if (!isSilly(c, target)) return true;
    notes.push(`constraint ${c.attrs.id} removed: it now ties ${kind} ${target} to itself`);
    store.removeTree(c);
    return false;
  });
  return notes;
}

/** A set constraint down to two resources, said again as a simple constraint where the language allows. */
function asSimple(c: XmlElement, store: IdStore): XmlElement {
  const sets = c.children.filter((s) => s.name === 'resource_set');
  for (const s of sets) delete s.attrs.sequential;
  const type = TYPES[c.name];
  const text = showObject({ type, id: c.attrs.id, element: c }, { obscure: false, nodeNames: [] });
  if (text.startsWith('xml ')) return c;
  const [statement] = parseCrm(text.replace('_rsc_set_ ', ''), 'redirect');
  const next = compileStatement(statement, { nodeNames: [], pickProvider: () => 'heartbeat' }).element;
  store.removeTree(c);
  store.assign(next);
  if (sets.length === 1 && c.name === 'rsc_colocation' && next.attrs['with-rsc'] !== undefined) {
    // A set lists the dependent resource last; the simple form names it first.
    [next.attrs.rsc, next.attrs['with-rsc']] = [next.attrs['with-rsc'], next.attrs.rsc];
  }
  return next;
}

function isSilly(c: XmlElement, target: string): boolean {
  const refs = c.children.filter((s) => s.name === 'resource_set').flatMap((s) => s.children.filter((r) => r.name === 'resource_ref'));
  const neverSilly = c.name === 'rsc_location' || c.name === 'rsc_ticket';
  const related = refs.some((r) => r.attrs.id === target) || REF_ATTRS.some((a) => c.attrs[a] === target);
  if (!related) return false;
  if (refs.length > 0) return neverSilly ? refs.length < 1 : refs.length <= 1;
  const present = REF_ATTRS.filter((a) => c.attrs[a] !== undefined);
  if (neverSilly) return present.length < 1;
  return present.filter((a) => c.attrs[a] === target).length === 2 || present.length < 2;
}
