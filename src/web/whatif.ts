import type { XmlElement } from '../cib/xml.js';
import { nodeNames } from '../controller/admin/edits.js';
import { schedule } from '../scheduler/index.js';
import { applyNodeChanges, type NodeChange } from '../scheduler/simulate/modify.js';
import { applyAction } from './actions.js';
import { badRequest, objectBody, optionalString, stringList } from './http-error.js';

/**
 * The what-if simulator: the scheduler run on a copy of the live CIB with nodes failed or taken
 * down, or a resource moved, next to what it would do with no change. Nothing is written.
 */

export interface WhatIfRequest {
  fail: string[];
  down: string[];
  move?: { resource: string; node: string };
}

export function parseWhatIf(value: unknown): WhatIfRequest {
  const body = objectBody(value, ['fail', 'down', 'moveResource', 'moveTo']);
  const fail = stringList(body, 'fail');
  const down = stringList(body, 'down');
  const resource = optionalString(body, 'moveResource');
  const node = optionalString(body, 'moveTo');
  if ((resource === undefined) !== (node === undefined)) throw badRequest("a move needs both 'moveResource' and 'moveTo'");
  if (fail.length === 0 && down.length === 0 && resource === undefined) throw badRequest('nothing to simulate: fail or take down a node, or move a resource');
  const both = fail.filter((n) => down.includes(n));
  if (both.length > 0) throw badRequest(`${both.join(', ')}: a node either fails or goes down cleanly, not both`);
  return { fail, down, ...(resource !== undefined && node !== undefined ? { move: { resource, node } } : {}) };
}

export interface WhatIfResult {
  /** What the cluster would do now with no change (an idle cluster: nothing). */
  baseline: string[];
  /** What it would do after the change. */
  summary: string[];
  placements: Record<string, { before: string | null; after: string | null }>;
  warnings: string[];
  unsupported: string[];
}

export function whatIf(cib: XmlElement, req: WhatIfRequest, nowMs: number): WhatIfResult {
  const known = nodeNames(cib);
  const unknown = [...req.fail, ...req.down].filter((n) => !known.includes(n));
  if (unknown.length > 0) throw badRequest(`unknown node${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the cluster has ${known.join(', ')}`);
  const changes: NodeChange[] = [...req.fail.map((node) => ({ node, change: 'fail' as const })), ...req.down.map((node) => ({ node, change: 'down' as const }))];
  let changed = changes.length > 0 ? applyNodeChanges(cib, changes) : cib;
  if (req.move) changed = applyAction(changed, { action: 'move', resource: req.move.resource, node: req.move.node }, nowMs).cib;
  const now = Math.floor(nowMs / 1000);
  const before = schedule(cib, { now });
  const after = schedule(changed, { now });
  const placements: WhatIfResult['placements'] = {};
  for (const id of new Set([...Object.keys(before.placements), ...Object.keys(after.placements)])) {
    placements[id] = { before: before.placements[id]?.node ?? null, after: after.placements[id]?.node ?? null };
  }
  return {
    baseline: before.summary,
    summary: after.summary,
    placements,
    warnings: after.warnings,
    unsupported: after.unsupported,
  };
}
