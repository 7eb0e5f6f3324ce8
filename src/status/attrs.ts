import { childrenNamed, type XmlElement } from '../cib/xml.js';

/** Index of every element carrying an `id`, so `id-ref` sets can be resolved. */
export type IdIndex = ReadonlyMap<string, XmlElement>;

export function indexIds(root: XmlElement): Map<string, XmlElement> {
  const index = new Map<string, XmlElement>();
  const walk = (el: XmlElement): void => {
    const id = el.attrs.id;
    // The first definition wins: references point at the defining element, not at other references.
    if (id !== undefined && !index.has(id) && el.attrs['id-ref'] === undefined) index.set(id, el);
    for (const c of el.children) walk(c);
  };
  walk(root);
  return index;
}

function resolve(el: XmlElement, ids: IdIndex): XmlElement {
  const ref = el.attrs['id-ref'];
  return ref === undefined ? el : (ids.get(ref) ?? el);
}

/**
 * Name/value pairs of the attribute sets called `setName` directly under
 * `owner`. Sets carrying a rule are skipped: status display never depends on
 * a rule's outcome beyond what `ruleHolds` answers (by default: nothing).
 * Sets with a higher `score` are read first; earlier values win.
 */
export function readNvpairs(
  owner: XmlElement | undefined,
  setName: string,
  ids: IdIndex,
  into = new Map<string, string>(),
  ruleHolds: (rule: XmlElement) => boolean = () => false,
): Map<string, string> {
  if (owner === undefined) return into;
  const sets = childrenNamed(owner, setName)
    .map((s) => resolve(s, ids))
    .filter((s) => childrenNamed(s, 'rule').every((r) => ruleHolds(resolve(r, ids))));
  const scored = sets
    .map((s, i) => ({ s, i, score: scoreOf(s.attrs.score) }))
    .sort((a, b) => b.score - a.score || a.i - b.i);
  for (const { s } of scored) {
    for (const nv of childrenNamed(s, 'nvpair')) {
      const pair = resolve(nv, ids);
      const name = pair.attrs.name;
      const value = pair.attrs.value;
      if (name !== undefined && value !== undefined && !into.has(name)) into.set(name, value);
    }
  }
  return into;
}

const INFINITY = 1_000_000;

export function scoreOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const t = text.trim().toLowerCase();
  if (t === 'infinity' || t === '+infinity') return INFINITY;
  if (t === '-infinity') return -INFINITY;
  const n = Number.parseInt(t, 10);
  if (Number.isNaN(n)) return 0;
  return Math.max(-INFINITY, Math.min(INFINITY, n));
}

/** Pacemaker's notion of a true value. */
export function isTrue(value: string | undefined): boolean {
  if (value === undefined) return false;
  return ['true', 'on', 'yes', 'y', '1'].includes(value.trim().toLowerCase());
}

/** Interval text (`10s`, `5min`, `P1DT2H`, plain seconds) to milliseconds; undefined if unreadable. */
export function intervalMs(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return 0;
  const t = text.trim();
  // A bare `P30S` or `P2H` (no T) still means seconds or hours, as Pacemaker reads it.
  const bare = /^P(\d+)([SH])$/i.exec(t);
  if (bare) return Number(bare[1]) * (bare[2]!.toUpperCase() === 'S' ? 1000 : 3_600_000);
  const iso = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(t);
  if (iso && t.length > 1) {
    const [, y, mo, w, d, h, mi, s] = iso.map((v) => (v === undefined ? 0 : Number(v)));
    const days = (y as number) * 365 + (mo as number) * 30 + (w as number) * 7 + (d as number);
    return Math.round((((days * 24 + (h as number)) * 60 + (mi as number)) * 60 + (s as number)) * 1000);
  }
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?$/i.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor: Record<string, number> = { ms: 1, msec: 1, us: 0.001, usec: 0.001, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 };
  return Math.round(n * (factor[unit] ?? 1000));
}

/**
 * Compare node names as Pacemaker sorts them: case-insensitively, with runs
 * of digits compared as numbers (node2 before node10).
 */
export function compareNodeNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      const na = Number(a.slice(i, ei));
      const nb = Number(b.slice(j, ej));
      if (na !== nb) return na < nb ? -1 : 1;
      if (ei - i !== ej - j) return ei - i < ej - j ? -1 : 1;
      i = ei;
      j = ej;
    } else {
      const la = a[i]!.toLowerCase();
      const lb = b[j]!.toLowerCase();
      if (la !== lb) return la < lb ? -1 : 1;
      i++;
      j++;
    }
  }
  if (i >= a.length && j < b.length) return -1;
  if (i < a.length && j >= b.length) return 1;
  return 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether a rule of an rsc_defaults set holds for a resource of the given
 * agent. Only resource expressions can be decided without a node or a date;
 * a rule using anything else is taken as not holding.
 */
export function resourceRuleHolds(rule: XmlElement, agent: { cls?: string; provider?: string; type?: string }, ids: IdIndex): boolean {
  const results: boolean[] = [];
  for (const raw of rule.children) {
    const child = resolve(raw, ids);
    if (child.name === 'rsc_expression') {
      const a = child.attrs;
      results.push(
        (a.class === undefined || a.class === agent.cls) &&
          (a.provider === undefined || a.provider === agent.provider) &&
          (a.type === undefined || a.type === agent.type),
      );
    } else if (child.name === 'rule') {
      results.push(resourceRuleHolds(child, agent, ids));
    } else {
      results.push(false);
    }
  }
  if (results.length === 0) return true;
  return (rule.attrs['boolean-op'] ?? 'and') === 'or' ? results.some(Boolean) : results.every(Boolean);
}
