import type { CibPatch } from '../cib/index.js';
import type { ReplicationMessage } from '../cib/replication/index.js';
import { isAdminEdit, type StatusUpdate } from '../controller/history.js';
import type { CibVersion } from './cib-version.js';

/**
 * What nodes tell each other about the CIB, over the authenticated stream channel (JSON): the
 * replication protocol's messages (src/cib/replication), carrying the daemon's changes.
 */
export type CibMessage = ReplicationMessage<CibChange>;

/** A change to the CIB, applied by the DC only. */
export type CibChange =
  /**
   * Replaces the whole CIB, or one section of it (`scope` = section element name). With
   * `ifEpoch`, only if the configuration is still at that (admin_epoch, epoch): a client that
   * edited a copy does not overwrite a change made meanwhile.
   */
  | { op: 'replace'; xml: string; scope?: string; ifEpoch?: EpochPair }
  /** Applies a CIB patch (src/cib diffCib's format) made against the current version. */
  | { op: 'patch'; patch: CibPatch }
  /** A node shutting down cleanly: record expected="down" so its absence is not UNCLEAN. */
  | { op: 'node-leaving'; node: string }
  /**
   * Status section updates (operation history, fail counts, node states): bump num_updates only.
   * The DC's own controller writes any kind in-process; from another node only the edits an
   * administrator may make are accepted (parseCibMessage), and no client replaces the section.
   */
  | { op: 'status'; updates: StatusUpdate[] };

/** The configuration's version: num_updates counts status changes, which a replace keeps. */
export interface EpochPair {
  adminEpoch: number;
  epoch: number;
}

const isEpochPair = (v: unknown): v is EpochPair => {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return [o.adminEpoch, o.epoch].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
};

const isVersion = (v: unknown): v is CibVersion => {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return [o.adminEpoch, o.epoch, o.numUpdates].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
};
/** Shape only: applyCibPatch checks the base version and every path against the tree. */
const isPatch = (v: unknown): v is CibPatch => {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return p.format === 1 && isVersion(p.from) && isVersion(p.to) && Array.isArray(p.changes);
};
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parseChange(v: unknown): CibChange | null {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  if (c.op === 'replace' && isStr(c.xml) && (c.scope === undefined || isStr(c.scope))) {
    if (c.ifEpoch !== undefined && !isEpochPair(c.ifEpoch)) return null;
    return { op: 'replace', xml: c.xml, scope: c.scope, ...(c.ifEpoch !== undefined ? { ifEpoch: c.ifEpoch } : {}) };
  }
  if (c.op === 'patch' && isPatch(c.patch)) return { op: 'patch', patch: c.patch };
  if (c.op === 'node-leaving' && isStr(c.node)) return { op: 'node-leaving', node: c.node };
  if (c.op === 'status' && Array.isArray(c.updates) && c.updates.every(isAdminEdit)) return { op: 'status', updates: c.updates };
  return null;
}

/** Authenticated is not the same as well-formed: every field is checked before use. */
export function parseCibMessage(value: unknown): CibMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  switch (m.t) {
    case 'cib-offer-req':
    case 'cib-fetch':
      return isNum(m.view) ? { t: m.t, view: m.view } : null;
    case 'cib-offer':
      return isNum(m.view) && isVersion(m.version) ? { t: 'cib-offer', view: m.view, version: m.version, committed: m.committed === true } : null;
    case 'cib-committed':
      return isNum(m.view) && isNum(m.commit) && isVersion(m.version) ? { t: 'cib-committed', view: m.view, commit: m.commit, version: m.version } : null;
    case 'cib-fetched':
      return isNum(m.view) && isStr(m.xml) ? { t: 'cib-fetched', view: m.view, xml: m.xml } : null;
    case 'cib-full':
      return isNum(m.view) && isNum(m.commit) && isStr(m.xml) ? { t: 'cib-full', view: m.view, commit: m.commit, xml: m.xml } : null;
    case 'cib-patch':
      return isNum(m.view) && isNum(m.commit) && isPatch(m.patch) ? { t: 'cib-patch', view: m.view, commit: m.commit, patch: m.patch } : null;
    case 'cib-ack':
      if (!isNum(m.view) || !isNum(m.commit) || typeof m.ok !== 'boolean' || (m.error !== undefined && !isStr(m.error))) return null;
      if (m.newer !== undefined && !isVersion(m.newer)) return null;
      return { t: 'cib-ack', view: m.view, commit: m.commit, ok: m.ok, error: m.error, needFull: m.needFull === true, ...(m.newer !== undefined ? { newer: m.newer } : {}) };
    case 'cib-change': {
      const change = parseChange(m.change);
      return isStr(m.req) && change ? { t: 'cib-change', req: m.req, change } : null;
    }
    case 'cib-change-result':
      if (!isStr(m.req) || typeof m.ok !== 'boolean') return null;
      if (m.version !== undefined && !isVersion(m.version)) return null;
      if (m.error !== undefined && !isStr(m.error)) return null;
      return { t: 'cib-change-result', req: m.req, ok: m.ok, version: m.version, error: m.error, refused: m.refused === true };
    default:
      return null;
  }
}
