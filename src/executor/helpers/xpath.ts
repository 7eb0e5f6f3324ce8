import type { XmlElement } from '../../cib/xml.js';

/**
 * The XPath subset agents hand to `cibadmin -Q --xpath`: absolute or descendant steps
 * (`/a/b`, `//b`), element names or `*`, and predicates `[@attr='value']`, `[@attr]`,
 * `[starts-with(@attr,'prefix')]`, joined by `and`. Anything else is refused by name rather
 * than guessed at.
 */
export class XPathError extends Error {
  override name = 'XPathError';
}

type Predicate = (el: XmlElement) => boolean;
interface Step {
  descendant: boolean;
  name: string;
  predicates: Predicate[];
}

const STEP = /^(\/\/?)([A-Za-z_*][\w.-]*|\*)((?:\[[^\]]*\])*)/;
const PRED = /\[([^\]]*)\]/g;

function predicate(expr: string, whole: string): Predicate {
  const parts = expr.split(/\s+and\s+/).map((p) => p.trim());
  const tests = parts.map((p): Predicate => {
    let m = /^@([\w.:-]+)\s*=\s*(['"])(.*)\2$/.exec(p);
    if (m) {
      const [, attr, , value] = m;
      return (el) => el.attrs[attr] === value;
    }
    m = /^starts-with\(\s*@([\w.:-]+)\s*,\s*(['"])(.*)\2\s*\)$/.exec(p);
    if (m) {
      const [, attr, , prefix] = m;
      return (el) => el.attrs[attr]?.startsWith(prefix) === true;
    }
    m = /^@([\w.:-]+)$/.exec(p);
    if (m) {
      const attr = m[1];
      return (el) => el.attrs[attr] !== undefined;
    }
    throw new XPathError(`unsupported predicate [${p}] in '${whole}'`);
  });
  return (el) => tests.every((t) => t(el));
}

export function parseXPath(text: string): Step[] {
  const steps: Step[] = [];
  let rest = text.trim();
  if (!rest.startsWith('/')) throw new XPathError(`'${text}': only absolute paths (/… or //…) are supported`);
  while (rest) {
    const m = STEP.exec(rest);
    if (!m) throw new XPathError(`cannot read '${rest}' in '${text}'`);
    const predicates: Predicate[] = [];
    for (const p of m[3].matchAll(PRED)) predicates.push(predicate(p[1], text));
    steps.push({ descendant: m[1] === '//', name: m[2], predicates });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

function descendants(el: XmlElement, out: XmlElement[]): void {
  for (const c of el.children) {
    out.push(c);
    descendants(c, out);
  }
}

/** The elements the path selects in document order, the root counting as the child of a virtual document node. */
export function selectXPath(root: XmlElement, text: string): XmlElement[] {
  const doc: XmlElement = { name: '#document', attrs: {}, children: [root] };
  let current = [doc];
  for (const step of parseXPath(text)) {
    const next: XmlElement[] = [];
    for (const el of current) {
      const candidates: XmlElement[] = [];
      if (step.descendant) descendants(el, candidates);
      else candidates.push(...el.children);
      for (const c of candidates) {
        if ((step.name === '*' || c.name === step.name) && step.predicates.every((p) => p(c)) && !next.includes(c)) next.push(c);
      }
    }
    current = next;
  }
  return current;
}
