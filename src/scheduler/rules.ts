import type { XmlElement } from '../cib/xml.js';
import { addDuration, dateFields, parseIsoDate, type Duration } from '../cib/dates.js';
import { parseIntervalMs } from './score.js';

/** What a rule may look at. Every field is optional: a rule that needs a missing one is false. */
export interface RuleContext {
  now: number;
  nodeAttr?: (name: string) => string | undefined;
  role?: string;
  rsc?: { class: string; provider?: string; type: string };
  op?: { name: string; intervalMs: number };
  param?: (name: string) => string | undefined;
  meta?: (name: string) => string | undefined;
  /** Back-references of an `rsc-pattern` match, for `%1`-style substitution. */
  matches?: string[];
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function evaluateRule(rule: XmlElement, ctx: RuleContext): boolean {
  const op = (rule.attrs['boolean-op'] ?? 'and').toLowerCase();
  const role = rule.attrs.role;
  if (role !== undefined && ctx.role !== undefined && normaliseRole(role) !== normaliseRole(ctx.role)) return false;
  const parts = rule.children.filter((c) => ['expression', 'date_expression', 'rule', 'rsc_expression', 'op_expression'].includes(c.name));
  if (parts.length === 0) return true;
  const results = parts.map((p) => evaluatePart(p, ctx));
  return op === 'or' ? results.some(Boolean) : results.every(Boolean);
}

export function normaliseRole(role: string): string {
  switch (role.toLowerCase()) {
    case 'master':
    case 'promoted':
      return 'Promoted';
    case 'slave':
    case 'unpromoted':
      return 'Unpromoted';
    case 'started':
      return 'Started';
    case 'stopped':
      return 'Stopped';
    default:
      return role;
  }
}

function evaluatePart(el: XmlElement, ctx: RuleContext): boolean {
  switch (el.name) {
    case 'rule':
      return evaluateRule(el, ctx);
    case 'expression':
      return evaluateExpression(el, ctx);
    case 'date_expression':
      return evaluateDate(el, ctx.now);
    case 'rsc_expression': {
      if (!ctx.rsc) return false;
      const { class: cls, provider, type } = el.attrs;
      if (cls !== undefined && cls !== ctx.rsc.class) return false;
      if (provider !== undefined && provider !== ctx.rsc.provider) return false;
      return type === undefined || type === ctx.rsc.type;
    }
    case 'op_expression': {
      if (!ctx.op) return false;
      if (el.attrs.name !== ctx.op.name) return false;
      if (el.attrs.interval === undefined) return true;
      return parseIntervalMs(el.attrs.interval) === ctx.op.intervalMs;
    }
    default:
      return false;
  }
}

function substitute(value: string, matches: string[] | undefined): string {
  if (!matches) return value;
  return value.replace(/%(\d)/g, (_, d: string) => matches[Number(d)] ?? '');
}

function evaluateExpression(el: XmlElement, ctx: RuleContext): boolean {
  const attrName = el.attrs.attribute ?? '';
  const operation = (el.attrs.operation ?? '').toLowerCase();
  const source = el.attrs['value-source'] ?? 'literal';
  let expected: string | undefined = el.attrs.value;
  if (expected !== undefined) {
    expected = substitute(expected, ctx.matches);
    if (source === 'param') expected = ctx.param?.(expected);
    else if (source === 'meta') expected = ctx.meta?.(expected);
  }
  const actual = ctx.nodeAttr?.(attrName);
  if (operation === 'defined') return actual !== undefined;
  if (operation === 'not_defined') return actual === undefined;
  if (actual === undefined || expected === undefined) return operation === 'ne' && actual !== expected;
  const type = (el.attrs.type ?? (NUMERIC.test(actual) && NUMERIC.test(expected) ? 'number' : 'string')).toLowerCase();
  const cmp = compareValues(actual, expected, type);
  switch (operation) {
    case 'eq':
      return cmp === 0;
    case 'ne':
      return cmp !== 0;
    case 'lt':
      return cmp < 0;
    case 'lte':
      return cmp <= 0;
    case 'gt':
      return cmp > 0;
    case 'gte':
      return cmp >= 0;
    default:
      return false;
  }
}

function compareValues(a: string, b: string, type: string): number {
  if (type === 'integer' || type === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'version') {
    const xs = a.split('.').map(Number);
    const ys = b.split('.').map(Number);
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
      const d = (xs[i] ?? 0) - (ys[i] ?? 0);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function readDuration(el: XmlElement | undefined): Duration {
  const n = (k: string): number => Number(el?.attrs[k] ?? 0) || 0;
  return { years: n('years'), months: n('months'), weeks: n('weeks'), days: n('days'), hours: n('hours'), minutes: n('minutes'), seconds: n('seconds') };
}

function evaluateDate(el: XmlElement, now: number): boolean {
  const operation = el.attrs.operation ?? 'in_range';
  const start = el.attrs.start !== undefined ? parseIsoDate(el.attrs.start) : undefined;
  let end = el.attrs.end !== undefined ? parseIsoDate(el.attrs.end) : undefined;
  switch (operation) {
    case 'gt':
      return start !== undefined && now > start;
    case 'lt':
      return end !== undefined && now < end;
    case 'in_range': {
      const duration = el.children.find((c) => c.name === 'duration');
      if (end === undefined && duration && start !== undefined) end = addDuration(start, readDuration(duration));
      if (start !== undefined && now < start) return false;
      if (end !== undefined && now > end) return false;
      return start !== undefined || end !== undefined;
    }
    case 'date_spec': {
      const spec = el.children.find((c) => c.name === 'date_spec');
      if (!spec) return false;
      const fields = dateFields(now);
      for (const key of ['years', 'months', 'monthdays', 'hours', 'minutes', 'seconds', 'yeardays', 'weekyears', 'weeks', 'weekdays'] as const) {
        const range = spec.attrs[key];
        if (range === undefined) continue;
        if (!inRange(fields[key], range)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function inRange(value: number, range: string): boolean {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(range);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return value >= lo && value <= hi;
}
