import { element, type XmlElement } from '../cib/xml.js';
import { editAt, section } from './cib-tree.js';

/**
 * What the controller writes into the CIB status section: operation history in Pacemaker's
 * exact shape (lrm_rsc_op), fail counts, and the forgetting of history. Pure: updates are plain
 * records, applied to a CIB by `applyStatusUpdates`, so the I/O shell can apply them to whatever
 * the live CIB is when the write happens (never to a stale copy).
 */

/** Pacemaker's op-status values (PCMK_EXEC_*), as the scheduler and status displays read them. */
export const OpStatus = {
  pending: -1,
  done: 0,
  cancelled: 1,
  timedOut: 2,
  notSupported: 3,
  error: 4,
  errorHard: 5,
  errorFatal: 6,
  notInstalled: 7,
} as const;
export type OpStatusCode = (typeof OpStatus)[keyof typeof OpStatus];

export interface HistoryResource {
  id: string;
  agentClass: string;
  provider?: string;
  type: string;
}

export interface OperationRecord {
  node: string;
  resource: HistoryResource;
  task: string;
  intervalMs: number;
  callId: number;
  rc: number;
  opStatus: OpStatusCode;
  /** The rc the graph expected: 7 for a probe, 8 for a promoted monitor, else 0. */
  targetRc: number;
  /** `ACTION:TRANSITION:TARGET_RC:UUID` of the graph action that caused it. */
  transitionKey: string;
  digest?: string;
  /** Epoch seconds. */
  lastRcChange: number;
  execTimeMs: number;
  queueTimeMs: number;
  exitReason: string;
}

export type StatusUpdate =
  | { kind: 'operation'; op: OperationRecord }
  | { kind: 'fail-count'; node: string; resource: string; task: string; intervalMs: number; add: number | 'INFINITY'; lastFailure: number }
  | { kind: 'clear-failures'; node: string; resource: string }
  | { kind: 'forget-resource'; node: string; resource: string }
  | { kind: 'forget-node-history'; node: string }
  /** A node joined: its old history is void and it is a member again. */
  | { kind: 'node-joined'; node: string }
  | { kind: 'node-fenced'; node: string }
  /** A transient node attribute (standby for this boot ...); null removes it. */
  | { kind: 'node-attribute'; node: string; name: string; value: string | null }
  /** The administrator vouches the node is down: cleanly offline, no history, no attributes. */
  | { kind: 'clear-node-state'; node: string };

export function transitionKey(actionId: number, transitionId: number, targetRc: number, uuid: string): string {
  return `${actionId}:${transitionId}:${targetRc}:${uuid}`;
}

export function operationKey(resource: string, task: string, intervalMs: number): string {
  return `${resource}_${task}_${intervalMs}`;
}

export function isFailure(op: Pick<OperationRecord, 'rc' | 'opStatus' | 'targetRc' | 'task' | 'intervalMs'>): boolean {
  if (op.opStatus !== OpStatus.done) return op.opStatus !== OpStatus.cancelled && op.opStatus !== OpStatus.pending;
  if (op.rc === op.targetRc) return false;
  // A probe is asking, not demanding: any ordinary answer about the resource's state is not a failure.
  const probe = op.task === 'monitor' && op.intervalMs === 0;
  return !(probe && (op.rc === 0 || op.rc === 7 || op.rc === 8));
}

/** One lrm_rsc_op element, attributes in the order Pacemaker's controller writes them. */
export function operationEntry(op: OperationRecord, id: string, featureSet: string): XmlElement {
  const attrs: Record<string, string> = {
    id,
    operation_key: operationKey(op.resource.id, op.task, op.intervalMs),
    operation: op.task,
    'crm-debug-origin': 'do_update_resource',
    crm_feature_set: featureSet,
    'transition-key': op.transitionKey,
    'transition-magic': `${op.opStatus}:${op.rc};${op.transitionKey}`,
    'exit-reason': op.exitReason,
    on_node: op.node,
    'call-id': String(op.callId),
    'rc-code': String(op.rc),
    'op-status': String(op.opStatus),
    interval: String(op.intervalMs),
    'last-rc-change': String(op.lastRcChange),
    'exec-time': String(op.execTimeMs),
    'queue-time': String(op.queueTimeMs),
  };
  if (op.digest !== undefined) attrs['op-digest'] = op.digest;
  return element('lrm_rsc_op', attrs);
}

export function applyStatusUpdates(cib: XmlElement, updates: readonly StatusUpdate[]): XmlElement {
  let out = cib;
  for (const update of updates) out = applyOne(out, update);
  return out;
}

function nodeStateStep(cib: XmlElement, node: string): { name: string; id: string; attrs: Record<string, string> } {
  const status = cib.children.find((c) => c.name === 'status');
  const existing = status?.children.find((c) => c.name === 'node_state' && c.attrs.uname === node);
  if (existing) return { name: 'node_state', id: existing.attrs.id, attrs: {} };
  const configured = section(cib, 'nodes')?.children.find((c) => c.name === 'node' && c.attrs.uname === node);
  return { name: 'node_state', id: configured?.attrs.id ?? node, attrs: { uname: node } };
}

function applyOne(cib: XmlElement, update: StatusUpdate): XmlElement {
  switch (update.kind) {
    case 'operation':
      return recordOperation(cib, update.op);
    case 'fail-count':
      return recordFailure(cib, update);
    case 'clear-failures':
      return editTransient(cib, update.node, (pairs) =>
        pairs.filter((p) => !isFailureAttr(p.attrs.name ?? '', update.resource)),
      );
    case 'forget-resource':
      return editAt(cib, [{ name: 'status' }, nodeStateStep(cib, update.node)], (state) => ({
        ...state,
        children: state.children.map((c) =>
          c.name !== 'lrm'
            ? c
            : {
                ...c,
                children: c.children.map((r) =>
                  r.name !== 'lrm_resources' ? r : { ...r, children: r.children.filter((x) => x.attrs.id !== update.resource) },
                ),
              },
        ),
      }));
    case 'forget-node-history':
      return editAt(cib, [{ name: 'status' }, nodeStateStep(cib, update.node)], (state) => ({
        ...state,
        children: state.children.filter((c) => c.name !== 'lrm'),
      }));
    case 'node-joined':
      // Whatever it was expected to be before, it is a member now.
      return editAt(cib, [{ name: 'status' }, nodeStateStep(cib, update.node)], (state) => ({
        ...state,
        attrs: state.attrs.expected === undefined ? state.attrs : { ...state.attrs, expected: 'member' },
        children: state.children.filter((c) => c.name !== 'lrm'),
      }));
    case 'node-attribute': {
      const id = nodeStateStep(cib, update.node).id;
      return editTransient(cib, update.node, (pairs) => {
        const rest = pairs.filter((p) => p.attrs.name !== update.name);
        return update.value === null ? rest : [...rest, element('nvpair', { id: `status-${id}-${update.name}`, name: update.name, value: update.value })];
      });
    }
    case 'clear-node-state':
      return editAt(cib, [{ name: 'status' }, nodeStateStep(cib, update.node)], (state) => ({
        ...state,
        attrs: { ...state.attrs, in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' },
        children: [],
      }));
    case 'node-fenced':
      return editAt(cib, [{ name: 'status' }, nodeStateStep(cib, update.node)], (state) => ({
        ...state,
        attrs: { ...state.attrs, in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' },
        children: state.children.filter((c) => c.name !== 'lrm'),
      }));
  }
}

function recordOperation(cib: XmlElement, op: OperationRecord): XmlElement {
  const featureSet = cib.attrs.crm_feature_set ?? '3.16.1';
  const recurring = op.intervalMs > 0;
  const failed = isFailure(op);
  const rscAttrs: Record<string, string> = { id: op.resource.id, class: op.resource.agentClass, type: op.resource.type };
  if (op.resource.provider !== undefined) rscAttrs.provider = op.resource.provider;
  return editAt(
    cib,
    [
      { name: 'status' },
      nodeStateStep(cib, op.node),
      { name: 'lrm', id: nodeStateStep(cib, op.node).id },
      { name: 'lrm_resources' },
      { name: 'lrm_resource', id: op.resource.id, attrs: rscAttrs },
    ],
    (rsc) => {
      const entries = new Map(rsc.children.map((c) => [c.attrs.id, c] as const));
      const mainId = recurring ? `${op.resource.id}_${op.task}_${op.intervalMs}` : `${op.resource.id}_last_0`;
      entries.set(mainId, operationEntry(op, mainId, featureSet));
      if (failed) {
        const failureId = `${op.resource.id}_last_failure_0`;
        entries.set(failureId, operationEntry(op, failureId, featureSet));
      }
      // A clean stop ends the recurring monitors, and Pacemaker drops their entries with them.
      if (op.task === 'stop' && !failed) {
        for (const id of [...entries.keys()]) if (/_monitor_[1-9]\d*$/.test(id)) entries.delete(id);
      }
      return { ...rsc, children: [...entries.values()] };
    },
  );
}

function isFailureAttr(name: string, resource: string): boolean {
  return (
    name === `fail-count-${resource}` ||
    name === `last-failure-${resource}` ||
    name.startsWith(`fail-count-${resource}#`) ||
    name.startsWith(`last-failure-${resource}#`)
  );
}

function editTransient(cib: XmlElement, node: string, edit: (pairs: XmlElement[]) => XmlElement[]): XmlElement {
  const state = nodeStateStep(cib, node);
  return editAt(
    cib,
    [{ name: 'status' }, state, { name: 'transient_attributes', id: state.id }, { name: 'instance_attributes', id: `status-${state.id}` }],
    (set) => ({ ...set, children: edit(set.children) }),
  );
}

function recordFailure(cib: XmlElement, u: Extract<StatusUpdate, { kind: 'fail-count' }>): XmlElement {
  const suffix = `${u.resource}#${u.task}_${u.intervalMs}`;
  const state = nodeStateStep(cib, u.node);
  return editTransient(cib, u.node, (pairs) => {
    const current = pairs.find((p) => p.attrs.name === `fail-count-${suffix}`)?.attrs.value;
    const value = addScore(current, u.add);
    const set = (list: XmlElement[], name: string, v: string): XmlElement[] => {
      const i = list.findIndex((p) => p.attrs.name === name);
      const pair = element('nvpair', { id: `status-${state.id}-${name}`, name, value: v });
      if (i < 0) return [...list, pair];
      const copy = list.slice();
      copy[i] = { ...copy[i], attrs: { ...copy[i].attrs, value: v } };
      return copy;
    };
    return set(set(pairs, `fail-count-${suffix}`, value), `last-failure-${suffix}`, String(u.lastFailure));
  });
}

const INFINITY = 1_000_000;

function addScore(current: string | undefined, add: number | 'INFINITY'): string {
  if (add === 'INFINITY') return 'INFINITY';
  const base = current === undefined ? 0 : /^\+?INFINITY$/.test(current) ? INFINITY : Number.parseInt(current, 10) || 0;
  const sum = Math.min(INFINITY, base + add);
  return sum >= INFINITY ? 'INFINITY' : String(sum);
}

/**
 * The status edits an administrator may ask for (cleanup, refresh, clearstate, standby for this
 * boot ...): they travel from any node's clients to the DC. Operation records and fail counts
 * never do: only the DC's own controller writes those.
 */
export type AdminEdit = Exclude<StatusUpdate, { kind: 'operation' } | { kind: 'fail-count' }>;

const ADMIN_EDIT_FIELDS: Record<AdminEdit['kind'], readonly string[]> = {
  'clear-failures': ['node', 'resource'],
  'forget-resource': ['node', 'resource'],
  'forget-node-history': ['node'],
  'node-joined': ['node'],
  'node-fenced': ['node'],
  'node-attribute': ['node', 'name'],
  'clear-node-state': ['node'],
};

export function isAdminEdit(v: unknown): v is AdminEdit {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.kind !== 'string' || !Object.hasOwn(ADMIN_EDIT_FIELDS, o.kind)) return false;
  if (!ADMIN_EDIT_FIELDS[o.kind as AdminEdit['kind']].every((f) => typeof o[f] === 'string')) return false;
  return o.kind !== 'node-attribute' || o.value === null || typeof o.value === 'string';
}

/** Checks a client's edits: throws naming the first one that is not an administrator's edit. */
export function parseAdminEdits(values: unknown): AdminEdit[] {
  if (!Array.isArray(values)) throw new Error('status edits must be a list');
  values.forEach((v, i) => {
    if (!isAdminEdit(v)) throw new Error(`status edit ${i + 1} is not an edit an administrator can make: ${JSON.stringify(v)?.slice(0, 200)}`);
  });
  return values as AdminEdit[];
}
