/**
 * Whether an operation recorded in a resource's history was run with the definition configured
 * now, judged by the parameter digests the history records with it, as Pacemaker judges them.
 *
 * The digest covers what the agent was given: the resource's instance parameters, the op's own
 * instance attributes over them, and for a recurring operation its timeout (CRM_meta_timeout, in
 * ms) — a recurring op is a distinct definition per timeout. A probe, promote or migrate_from
 * was given the start's parameters, so it is judged against the start's definition.
 */
import type { OpDef, Primitive } from '../model.js';
import { digestedParameters, parametersDigest } from '../md5.js';

/** The digest-bearing fields of one history entry. */
export interface RecordedDigests {
  task: string;
  intervalMs: number;
  /** op-digest: all parameters. */
  digest?: string;
  /** op-restart-digest: only the parameters named in op-force-restart (agents that can reload). */
  restartDigest?: string;
  forceRestart?: string;
  /** op-secure-digest: all parameters but those named in op-secure-params (masked in the CIB). */
  secureDigest?: string;
  secureParams?: string;
  /** crm_feature_set of the node that recorded it: before 3.16.0 the secure digest left out op attributes and meta. */
  featureSet?: string;
}

/**
 * What a recorded operation asks for: nothing (`match`); a non-recurring one a `restart` of the
 * resource or, when only parameters its agent can reload changed, a `reload`; a recurring one to
 * be issued again with the new definition (`reschedule`: the executor replaces the old one).
 */
export type DigestVerdict = 'match' | 'restart' | 'reload' | 'reschedule';

function names(list: string | undefined): Set<string> {
  return new Set((list ?? '').split(/\s+/).filter(Boolean));
}

function definitionOf(rsc: Primitive, task: string, intervalMs: number): OpDef | undefined {
  const defs = rsc.ops.filter((o) => o.name === task && o.intervalMs === intervalMs);
  return defs.find((o) => o.enabled) ?? defs[0];
}

/** What the agent is given for an operation: the resource's parameters, the op's own over them. */
export function operationParameters(rsc: Primitive, def: OpDef | undefined): Map<string, string> {
  return new Map([...rsc.params, ...(def?.params ?? [])]);
}

function olderFeatureSet(version: string | undefined, than: number[]): boolean {
  const parts = (version ?? '').split('.').map((n) => Number(n) || 0);
  for (let i = 0; i < than.length; i++) {
    const v = parts[i] ?? 0;
    if (v !== than[i]) return v < than[i];
  }
  return false;
}

/** The secure digest, when the history has one: secrets masked in a CIB leave it comparable. */
function secureMatches(rsc: Primitive, all: Map<string, string>, op: RecordedDigests): boolean {
  if (op.secureDigest === undefined) return false;
  const secret = names(op.secureParams);
  const old = olderFeatureSet(op.featureSet, [3, 16, 0]);
  // Before 3.16.0 the secure digest was over the instance parameters alone, and fencing
  // devices' pcmk_* parameters (unknown to their agents' metadata) were not hashed.
  const base = old ? rsc.params : all;
  const open = new Map([...base].filter(([k]) => !secret.has(k) && !(old && rsc.cls === 'stonith' && k.startsWith('pcmk_'))));
  return parametersDigest(open) === op.secureDigest;
}

function verdictFor(all: Map<string, string>, def: OpDef | undefined, op: RecordedDigests): DigestVerdict {
  const recurring = op.intervalMs > 0;
  const changed: DigestVerdict = recurring ? 'reschedule' : op.restartDigest !== undefined ? 'reload' : 'restart';
  if (op.restartDigest !== undefined) {
    const forced = names(op.forceRestart);
    if (parametersDigest(new Map([...all].filter(([k]) => forced.has(k)))) !== op.restartDigest) return 'restart';
  }
  if (op.digest === undefined) return changed;
  if (op.digest === parametersDigest(all)) return 'match';
  // Attributes given to this op alone reach the agent only when the op runs again: a reload
  // would leave them unapplied.
  if (!recurring && (def?.params.size ?? 0) > 0) return 'restart';
  return changed;
}

export function checkRecordedDefinition(rsc: Primitive, op: RecordedDigests): DigestVerdict {
  const recurring = op.intervalMs > 0;
  const task = recurring || !['monitor', 'promote', 'migrate_from'].includes(op.task) ? op.task : 'start';
  const def = definitionOf(rsc, task, op.intervalMs);
  const all = digestedParameters(operationParameters(rsc, def), op.intervalMs, def?.timeoutMs ?? 20_000);
  const verdict = verdictFor(all, def, op);
  return verdict !== 'match' && secureMatches(rsc, all, op) ? 'match' : verdict;
}
