import type { CibPatch } from '../cib/index.js';
import { parseAdminEdits, type AdminEdit } from '../controller/history.js';
import { ATTR_OPS, AttrRequestError, parseAttrRequest, type AttrRequest } from './attributes-protocol.js';

/**
 * The local API: newline-delimited JSON over a Unix socket. One request per line,
 * `{"id": N, "op": "...", ...args}`; one response per line with the same id,
 * `{"id": N, "ok": true, "result": ...}` or `{"id": N, "ok": false, "error": "...", "code": N}`.
 * `code` is the exit status the CLI should use.
 */
export type ApiRequest =
  | { op: 'status' }
  | { op: 'membership' }
  | { op: 'counters' }
  | { op: 'cib.query'; scope?: string }
  /** `ifEpoch`: refused unless the configuration is still at this version (see CibChange). */
  | { op: 'cib.replace'; xml: string; scope?: string; ifEpoch?: { adminEpoch: number; epoch: number } }
  /** A patch in src/cib's diffCib format, made against the cluster's current version. */
  | { op: 'cib.patch'; patch: CibPatch }
  /** An administrator's status edits (cleanup, refresh, clearstate, standby for this boot ...), applied by the DC. */
  | { op: 'status.edit'; updates: AdminEdit[] }
  /** The DC's transition engine: the current transition and the last finished ones. */
  | { op: 'transition' }
  /** The fencing this node carried out, newest last. */
  | { op: 'fence.history' }
  /** Node attributes (attrd): see attributes-protocol.ts. */
  | AttrRequest;

export type ApiOp = ApiRequest['op'];

export type ApiResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; code: number };

export const DEFAULT_SOCKET = '/run/vigil/vigil.sock';

/** The socket the CLI talks to: --socket, else $VIGIL_SOCKET, else the default. */
export function socketPath(explicit?: string): string {
  return explicit ?? process.env.VIGIL_SOCKET ?? DEFAULT_SOCKET;
}

export class ApiRequestError extends Error {
  override name = 'ApiRequestError';
  constructor(message: string, readonly code = 64) {
    super(message);
  }
}

export function parseApiRequest(value: unknown): ApiRequest {
  if (typeof value !== 'object' || value === null) throw new ApiRequestError('a request must be a JSON object');
  const r = value as Record<string, unknown>;
  const optStr = (k: string): string | undefined => {
    const v = r[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new ApiRequestError(`'${k}' must be a string`);
    return v;
  };
  switch (r.op) {
    case 'status':
    case 'membership':
    case 'counters':
    case 'transition':
    case 'fence.history':
      return { op: r.op };
    case 'status.edit':
      try {
        return { op: 'status.edit', updates: parseAdminEdits(r.updates) };
      } catch (err) {
        throw new ApiRequestError(`status.edit: ${(err as Error).message}`);
      }
    case 'cib.query':
      return { op: 'cib.query', scope: optStr('scope') };
    case 'cib.replace': {
      const xml = optStr('xml');
      if (xml === undefined) throw new ApiRequestError("cib.replace needs 'xml'");
      const ifEpoch = r.ifEpoch as Record<string, unknown> | undefined;
      if (ifEpoch === undefined) return { op: 'cib.replace', xml, scope: optStr('scope') };
      const whole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
      if (typeof ifEpoch !== 'object' || ifEpoch === null || !whole(ifEpoch.adminEpoch) || !whole(ifEpoch.epoch)) {
        throw new ApiRequestError("'ifEpoch' must be {adminEpoch, epoch}, whole numbers ≥ 0");
      }
      return { op: 'cib.replace', xml, scope: optStr('scope'), ifEpoch: { adminEpoch: ifEpoch.adminEpoch, epoch: ifEpoch.epoch } };
    }
    case 'cib.patch': {
      const patch = r.patch as Record<string, unknown> | undefined;
      if (typeof patch !== 'object' || patch === null || patch.format !== 1 || !Array.isArray(patch.changes)) {
        throw new ApiRequestError("cib.patch needs 'patch': a CIB patch object (format 1, from, to, changes)");
      }
      return { op: 'cib.patch', patch: patch as unknown as CibPatch };
    }
    default: {
      let attr: AttrRequest | undefined;
      try {
        attr = parseAttrRequest(r);
      } catch (err) {
        if (err instanceof AttrRequestError) throw new ApiRequestError(err.message);
        throw err;
      }
      if (attr !== undefined) return attr;
      throw new ApiRequestError(`unknown op ${JSON.stringify(r.op)}: expected status, membership, counters, cib.query, cib.replace, cib.patch, status.edit, transition, fence.history, ${ATTR_OPS.join(', ')}`);
    }
  }
}
