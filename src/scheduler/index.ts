/**
 * The scheduler (policy engine): CIB + time in, transition graph + summary out. Pure and
 * deterministic: every run builds its own working model, reads no clock and does no I/O.
 *
 * Stages: unpack (nodes, resources, history) → constraints → assign (placement and roles) →
 * actions → orderings (and propagation of required/unrunnable) → graph.
 */
import type { XmlElement } from '../cib/xml.js';
import type { TransitionGraph } from './graph.js';
import { buildPlan } from './actions/plan.js';
import { applyMigrations } from './actions/migration.js';
import { scheduleConfigCancels, scheduleRoleCancels } from './actions/cancel.js';
import { scheduleStoppedMonitors } from './features/stopped-monitors.js';
import { scheduleFailcountClearing, scheduleHistoryDeletes } from './actions/cleanup.js';
import { scheduleReloads } from './features/reload.js';
import { scheduleUnfencing } from './features/unfencing.js';
import { scheduleShutdowns } from './features/shutdown.js';
import { scheduleDanglingStops } from './features/migration-history.js';
import { scheduleHistoryClearing } from './features/shutdown-lock.js';
import { applyOrderings, collectiveRunnability, propagate } from './actions/orderings.js';
import { colocationBlocker } from './actions/colocation-blocking.js';
import { formatSummary, summarise, type SummaryLine } from './actions/summary.js';
import { buildContext } from './unpack/context.js';
import { assignAll } from './placement/assign.js';
import { buildGraph } from './transition/graph.js';
import { formatScore } from './score.js';
import { orderGuestActions, orderGuestFencing } from './remote/guest.js';
import { scheduleNotifications } from './clones/notifications.js';

export interface ScheduleOptions {
  /** Epoch seconds used for rules, failure-timeout and dates. */
  now: number;
  /** Also return allocation scores and explanations (off by default: they cost time on big CIBs). */
  detail?: boolean;
}

export interface ScheduleResult {
  graph: TransitionGraph;
  /** Transition Summary lines exactly as crm_simulate prints them. */
  summary: string[];
  summaryLines: SummaryLine[];
  /** Allocation scores: resource id → node → score. */
  scores: Record<string, Record<string, number>>;
  promotionScores: Record<string, number>;
  /** Per resource, the facts that shaped its scores (for explain). */
  explanations: Record<string, string[]>;
  /** Where each primitive goes: id → node (null = stopped) and role. */
  placements: Record<string, { node: string | null; role: string }>;
  warnings: string[];
  /** CIB features this scheduler does not implement yet; the plan may be wrong when non-empty. */
  unsupported: string[];
}

export function schedule(cib: XmlElement, options: ScheduleOptions): ScheduleResult {
  const ctx = buildContext(cib, options.now, options.detail === true);
  assignAll(ctx);
  const plan = buildPlan(ctx);
  scheduleFailcountClearing(ctx, plan);
  scheduleConfigCancels(ctx, plan);
  scheduleHistoryDeletes(ctx, plan);
  scheduleRoleCancels(ctx, plan);
  scheduleStoppedMonitors(ctx, plan);
  scheduleUnfencing(ctx, plan);
  scheduleShutdowns(ctx, plan);
  scheduleDanglingStops(ctx, plan);
  scheduleHistoryClearing(ctx, plan);
  orderGuestFencing(ctx, plan);
  applyOrderings(ctx, plan);
  orderGuestActions(ctx, plan);
  collectiveRunnability(ctx, plan);
  propagate(plan, colocationBlocker(ctx, plan));
  applyMigrations(ctx, plan);
  scheduleReloads(ctx, plan);
  scheduleNotifications(ctx, plan);
  const lines = summarise(ctx, plan);
  const graph = buildGraph(ctx, plan);
  const scores: Record<string, Record<string, number>> = {};
  for (const [id, arr] of ctx.scores) scores[id] = Object.fromEntries(ctx.nodes.map((n) => [n.uname, arr[n.index]]));
  const placements: Record<string, { node: string | null; role: string }> = {};
  for (const [r, p] of ctx.placement) if (r.kind === 'primitive') placements[r.id] = { node: p.node?.uname ?? null, role: p.role };
  return {
    graph,
    summary: formatSummary(lines),
    summaryLines: lines,
    scores,
    promotionScores: Object.fromEntries(ctx.promotionScores),
    explanations: Object.fromEntries(ctx.explain),
    placements,
    warnings: ctx.warnings,
    unsupported: [...ctx.unsupported].sort(),
  };
}

/** `allocation score` lines in crm_simulate's -s format. */
export function formatScores(result: ScheduleResult): string[] {
  const out: string[] = [];
  for (const [id, m] of Object.entries(result.scores)) for (const [node, s] of Object.entries(m)) out.push(`pcmk__native_allocate: ${id} allocation score on ${node}: ${formatScore(s)}`);
  for (const [id, s] of Object.entries(result.promotionScores)) out.push(`${id} promotion score: ${formatScore(s)}`);
  return out;
}

export { executeGraph, describeAction } from './simulate/execute.js';
export { injectResults } from './simulate/inject.js';
