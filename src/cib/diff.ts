import { CibError } from './model/errors.js';
import type { CibVersion } from './model/types.js';
import { compareVersions, formatVersion, versionOf } from './versions.js';
import type { XmlElement } from './xml.js';

/**
 * A change from one CIB version to the next, as plain JSON so the DC can send it to the other
 * nodes. Paths are child indices from the root, valid in the tree as the earlier changes of the
 * same patch have left it, so the changes must be applied in order and only to the base version.
 */
export interface CibPatch {
  format: 1;
  from: CibVersion;
  to: CibVersion;
  changes: CibChange[];
}

export type CibChange =
  /** Replaces the element's attributes (all of them, in this order). */
  | { op: 'attrs'; path: number[]; attrs: Record<string, string> }
  | { op: 'text'; path: number[]; text?: string }
  | { op: 'delete'; path: number[] }
  /** Inserts `element` as child number `path[last]` of the element at the rest of the path. */
  | { op: 'insert'; path: number[]; element: XmlElement };

export class CibPatchError extends CibError {
  constructor(message: string) {
    super(message);
    this.name = 'CibPatchError';
  }
}

export function diffCib(from: XmlElement, to: XmlElement): CibPatch {
  const changes: CibChange[] = [];
  diffElement(from, to, [], changes);
  return { format: 1, from: versionOf(from), to: versionOf(to), changes };
}

function diffElement(a: XmlElement, b: XmlElement, path: number[], out: CibChange[]): void {
  // Trees edited copy-on-write share unchanged subtrees, which need no look.
  if (a === b) return;
  if (!sameAttrs(a.attrs, b.attrs)) out.push({ op: 'attrs', path, attrs: { ...b.attrs } });
  if (a.text !== b.text) out.push(b.text === undefined ? { op: 'text', path } : { op: 'text', path, text: b.text });
  diffChildren(a.children, b.children, path, out);
}

function sameAttrs(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a[ka[i]] !== b[kb[i]]) return false;
  return true;
}

/** Children are matched by element name and id, the identity Pacemaker gives them. */
function key(el: XmlElement): string {
  return el.attrs.id === undefined ? el.name : `${el.name}#${el.attrs.id}`;
}

function diffChildren(a: XmlElement[], b: XmlElement[], path: number[], out: CibChange[]): void {
  const unmatched = new Map<string, number[]>();
  for (let i = a.length - 1; i >= 0; i--) {
    const k = key(a[i]);
    const list = unmatched.get(k);
    if (list) list.push(i);
    else unmatched.set(k, [i]);
  }
  // matchOf[j]: the old child that new child j continues, or -1.
  const matchOf = b.map((el) => unmatched.get(key(el))?.pop() ?? -1);
  const kept = longestIncreasing(matchOf);
  const keptOld = new Set<number>();
  for (let j = 0; j < b.length; j++) if (kept[j]) keptOld.add(matchOf[j]);
  // Deleting from the end keeps the indices of the children still to delete valid.
  for (let i = a.length - 1; i >= 0; i--) if (!keptOld.has(i)) out.push({ op: 'delete', path: [...path, i] });
  // The kept children are now in their final relative order, so child j is at index j once the
  // children before it are in place.
  for (let j = 0; j < b.length; j++) {
    if (kept[j]) diffElement(a[matchOf[j]], b[j], [...path, j], out);
    else out.push({ op: 'insert', path: [...path, j], element: b[j] });
  }
}

/** Marks a longest strictly increasing subsequence of the non-negative entries. */
function longestIncreasing(seq: number[]): boolean[] {
  const tails: number[] = [];
  const prev = new Array<number>(seq.length).fill(-1);
  for (let j = 0; j < seq.length; j++) {
    if (seq[j] < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < seq[j]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[j] = tails[lo - 1];
    tails[lo] = j;
  }
  const marks = new Array<boolean>(seq.length).fill(false);
  for (let j = tails.length > 0 ? tails[tails.length - 1] : -1; j >= 0; j = prev[j]) marks[j] = true;
  return marks;
}

/**
 * Applies a patch to a copy of `cib` (the input is not changed; unchanged subtrees are shared with
 * it, and inserted subtrees with the patch, so treat all three as immutable).
 * Refuses a patch made for another version, and one whose paths do not fit the tree.
 */
export function applyCibPatch(cib: XmlElement, patch: CibPatch): XmlElement {
  if (patch.format !== 1) throw new CibPatchError(`unknown CIB patch format ${String(patch.format)}`);
  const have = versionOf(cib);
  if (compareVersions(have, patch.from) !== 0) {
    throw new CibPatchError(`patch is for CIB version ${formatVersion(patch.from)}, but this CIB is at ${formatVersion(have)}`);
  }
  const fresh = new Set<XmlElement>();
  const copy = (el: XmlElement): XmlElement => {
    const c: XmlElement = { name: el.name, attrs: el.attrs, children: [...el.children] };
    if (el.text !== undefined) c.text = el.text;
    fresh.add(c);
    return c;
  };
  const root = copy(cib);
  /** The element at `path`, copying it and its ancestors on first write. */
  const writable = (path: number[], upto: number): XmlElement => {
    let el = root;
    for (let d = 0; d < upto; d++) {
      const i = path[d];
      const child = el.children[i];
      if (child === undefined) throw new CibPatchError(`patch does not apply: no element at /${path.slice(0, d + 1).join('/')}`);
      el.children[i] = fresh.has(child) ? child : copy(child);
      el = el.children[i];
    }
    return el;
  };
  for (const change of patch.changes) {
    switch (change.op) {
      case 'attrs':
        writable(change.path, change.path.length).attrs = { ...change.attrs };
        break;
      case 'text': {
        const el = writable(change.path, change.path.length);
        if (change.text === undefined) delete el.text;
        else el.text = change.text;
        break;
      }
      case 'delete': {
        const parent = writable(change.path, change.path.length - 1);
        const i = change.path[change.path.length - 1];
        if (change.path.length === 0 || !Number.isInteger(i) || i < 0 || i >= parent.children.length) throw new CibPatchError(`patch does not apply: no element to delete at /${change.path.join('/')}`);
        parent.children.splice(i, 1);
        break;
      }
      case 'insert': {
        const parent = writable(change.path, change.path.length - 1);
        const i = change.path[change.path.length - 1];
        if (change.path.length === 0 || !Number.isInteger(i) || i < 0 || i > parent.children.length) throw new CibPatchError(`patch does not apply: cannot insert at /${change.path.join('/')}`);
        parent.children.splice(i, 0, change.element);
        break;
      }
      default:
        throw new CibPatchError(`unknown CIB patch change ${JSON.stringify(change)}`);
    }
  }
  const result = versionOf(root);
  if (compareVersions(result, patch.to) !== 0) {
    throw new CibPatchError(`patch should give version ${formatVersion(patch.to)} but gave ${formatVersion(result)}`);
  }
  return root;
}
