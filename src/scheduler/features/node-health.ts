/**
 * Node health: node attributes named `#health*` (set by health agents) hold red, yellow, green or
 * a score. Under a node-health-strategy their sum (plus node-health-base, for progressive) is a
 * location score of every resource on that node; a negative one spares resources with
 * allow-unhealthy-nodes=true.
 *  - migrate-on-red: red is -INFINITY, yellow and green 0;
 *  - only-green: red and yellow are -INFINITY, green 0;
 *  - progressive, custom: the node-health-red/yellow/green values (default -INFINITY, 0, 0).
 */
import type { Location } from '../constraints/parse.js';
import type { Context } from '../context.js';
import type { Node } from '../model.js';
import { INFINITY, addScores, isTrue, parseScore } from '../score.js';

export const HEALTH_STRATEGIES = ['none', 'migrate-on-red', 'only-green', 'progressive', 'custom'] as const;
export type HealthStrategy = (typeof HEALTH_STRATEGIES)[number];

export function parseHealthStrategy(text: string | undefined): HealthStrategy | undefined {
  const v = (text ?? 'none').trim().toLowerCase();
  return (HEALTH_STRATEGIES as readonly string[]).includes(v) ? (v as HealthStrategy) : undefined;
}

interface Colours {
  red: number;
  yellow: number;
  green: number;
}

function colours(ctx: Context, strategy: HealthStrategy): Colours {
  if (strategy === 'migrate-on-red') return { red: -INFINITY, yellow: 0, green: 0 };
  if (strategy === 'only-green') return { red: -INFINITY, yellow: -INFINITY, green: 0 };
  const opt = (name: string, dflt: number): number => parseScore(ctx.props.get(name)) ?? dflt;
  return { red: opt('node-health-red', -INFINITY), yellow: opt('node-health-yellow', 0), green: opt('node-health-green', 0) };
}

function valueScore(value: string, c: Colours): number {
  const v = value.trim().toLowerCase();
  if (v === 'red') return c.red;
  if (v === 'yellow') return c.yellow;
  if (v === 'green') return c.green;
  return parseScore(value) ?? 0;
}

/** A node's overall health score under the strategy. */
export function nodeHealth(ctx: Context, node: Node, strategy: HealthStrategy): number {
  const c = colours(ctx, strategy);
  let health = strategy === 'progressive' ? parseScore(ctx.props.get('node-health-base')) ?? 0 : 0;
  for (const [k, v] of node.attrs) if (k.startsWith('#health')) health = addScores(health, valueScore(v, c));
  return health;
}

/** Adds the health location scores; an unknown strategy is reported and applies nothing. */
export function applyNodeHealth(ctx: Context): void {
  const raw = ctx.props.get('node-health-strategy');
  const strategy = parseHealthStrategy(raw);
  if (strategy === undefined) {
    ctx.warnings.push(`node-health-strategy '${raw ?? ''}' is not one of ${HEALTH_STRATEGIES.join(', ')}: no health applied`);
    return;
  }
  if (strategy === 'none') return;
  for (const node of ctx.nodes) {
    const health = nodeHealth(ctx, node, strategy);
    // An overall health of 0 changes nothing.
    if (health === 0) continue;
    for (const r of ctx.resources) {
      if (health < 0 && isTrue(r.meta.get('allow-unhealthy-nodes'))) continue;
      const location: Location = { id: `node-health-${strategy}`, rsc: r, scores: new Map([[node.index, health]]), discovery: 'always' };
      ctx.constraints.locations.push(location);
      const list = ctx.locationsOf.get(r) ?? [];
      list.push(location);
      ctx.locationsOf.set(r, list);
    }
  }
}
