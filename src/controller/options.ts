import type { XmlElement } from '../cib/xml.js';
import { section, statusOf } from './cib-tree.js';
import { parseDurationMs } from './duration.js';

/** The cluster properties that drive the controller's own timing. */
export interface ClusterTimers {
  /** crmd-transition-delay: wait this long after a change before planning, to batch changes. */
  transitionDelayMs: number;
  /** cluster-recheck-interval: plan again this often even when nothing happens (0 = never). */
  recheckMs: number;
  startFailureIsFatal: boolean;
}

const DEFAULTS: ClusterTimers = { transitionDelayMs: 0, recheckMs: 15 * 60_000, startFailureIsFatal: true };

export function property(crmConfig: XmlElement | undefined, name: string): string | undefined {
  for (const set of crmConfig?.children ?? []) {
    if (set.name !== 'cluster_property_set') continue;
    const pair = set.children.find((c) => c.name === 'nvpair' && c.attrs.name === name);
    if (pair) return pair.attrs.value;
  }
  return undefined;
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(true|yes|on|1|y)$/i.test(value);
}

export function clusterOptions(crmConfig: XmlElement | undefined): ClusterTimers {
  const duration = (name: string, fallback: number): number => {
    const raw = property(crmConfig, name);
    const ms = raw === undefined ? null : parseDurationMs(raw);
    return ms === null ? fallback : ms;
  };
  const recheck = duration('cluster-recheck-interval', DEFAULTS.recheckMs);
  const fatal = property(crmConfig, 'start-failure-is-fatal');
  return {
    transitionDelayMs: duration('crmd-transition-delay', DEFAULTS.transitionDelayMs),
    recheckMs: recheck === 0 ? Number.POSITIVE_INFINITY : recheck,
    startFailureIsFatal: fatal === undefined ? DEFAULTS.startFailureIsFatal : isTrue(fatal),
  };
}

/** failure-timeout of each primitive (ms), from its meta attributes or rsc_defaults. */
function failureTimeouts(cib: XmlElement): Map<string, number> {
  const out = new Map<string, number>();
  let fallback: number | null = null;
  for (const set of section(cib, 'rsc_defaults')?.children ?? []) {
    const pair = set.children.find((c) => c.name === 'nvpair' && c.attrs.name === 'failure-timeout');
    if (pair?.attrs.value !== undefined) fallback = parseDurationMs(pair.attrs.value);
  }
  const visit = (el: XmlElement, inherited: number | null): void => {
    let own = inherited;
    for (const set of el.children) {
      if (set.name !== 'meta_attributes') continue;
      const pair = set.children.find((c) => c.name === 'nvpair' && c.attrs.name === 'failure-timeout');
      if (pair?.attrs.value !== undefined) own = parseDurationMs(pair.attrs.value);
    }
    if (el.name === 'primitive' && el.attrs.id !== undefined && own !== null && own > 0) out.set(el.attrs.id, own);
    for (const child of el.children) if (['primitive', 'group', 'clone', 'master'].includes(child.name)) visit(child, own);
  };
  for (const child of section(cib, 'resources')?.children ?? []) visit(child, fallback);
  return out;
}

/**
 * When the next recorded failure expires (epoch ms), so the controller plans again then and the
 * scheduler sees the fail count gone: without this an expired failure waits for the recheck.
 */
export function nextFailureExpiry(cib: XmlElement, nowMs: number): number | null {
  const timeouts = failureTimeouts(cib);
  if (timeouts.size === 0) return null;
  let next: number | null = null;
  for (const state of statusOf(cib)?.children ?? []) {
    for (const transient of state.children) {
      if (transient.name !== 'transient_attributes') continue;
      for (const set of transient.children) for (const pair of set.children) {
        const m = /^last-failure-([^#]+)(?:#.*)?$/.exec(pair.attrs.name ?? '');
        if (!m) continue;
        const rsc = m[1].replace(/:\d+$/, '');
        const timeout = timeouts.get(rsc);
        const last = Number.parseInt(pair.attrs.value ?? '', 10);
        if (timeout === undefined || !Number.isFinite(last)) continue;
        const at = last * 1000 + timeout + 1000;
        if (at > nowMs && (next === null || at < next)) next = at;
      }
    }
  }
  return next;
}

/** Pacemaker's date in rules (`2026-11-22 01:00:00 +00:00`, or ISO 8601) as epoch ms; null if unreadable. */
export function parseRuleDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(?:Z|([+-])(\d{2}):?(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', sign, oh = '0', om = '0'] = m;
  const offsetMs = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : 1);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMs;
}

/**
 * When the next constraint lifetime ends (a `move --lifetime` or `ban --lifetime` rule), so the
 * cluster re-plans then instead of at the next recheck.
 */
export function nextRuleExpiry(cib: XmlElement, nowMs: number): number | null {
  let next: number | null = null;
  const visit = (el: XmlElement): void => {
    if (el.name === 'date_expression' && el.attrs.end !== undefined) {
      const at = parseRuleDate(el.attrs.end);
      if (at !== null && at > nowMs && (next === null || at < next)) next = at + 1000;
    }
    for (const child of el.children) visit(child);
  };
  const constraints = section(cib, 'constraints');
  if (constraints) visit(constraints);
  return next;
}
