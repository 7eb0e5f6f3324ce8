import type { XmlElement } from '../cib/xml.js';
import { schedule, type ScheduleOptions } from './index.js';
import { formatScore } from './score.js';

export interface Explanation {
  resource: string;
  /** Node per primitive (the resource itself, or its members/instances); null = stopped. */
  placements: Record<string, { node: string | null; role: string }>;
  scores: Record<string, Record<string, number>>;
  /** The constraints and facts that shaped the scores. */
  reasons: string[];
  text: string[];
}

/** Why RSC is where it is (or stopped): its final scores per node and what produced them. */
export function explain(cib: XmlElement, options: ScheduleOptions, rsc: string): Explanation {
  const result = schedule(cib, { ...options, detail: true });
  const related = (id: string): boolean => id === rsc || id.startsWith(`${rsc}:`) || id.split(':')[0] === rsc;
  const placements = Object.fromEntries(Object.entries(result.placements).filter(([id]) => related(id)));
  const scores = Object.fromEntries(Object.entries(result.scores).filter(([id]) => related(id) || id === rsc));
  const reasons = Object.entries(result.explanations)
    .filter(([id]) => related(id))
    .flatMap(([id, list]) => list.map((l) => `${id}: ${l}`));
  const text: string[] = [];
  if (Object.keys(placements).length === 0 && Object.keys(scores).length === 0) text.push(`${rsc}: no such resource in the CIB`);
  for (const [id, p] of Object.entries(placements)) text.push(p.node ? `${id} is placed on ${p.node} (${p.role})` : `${id} is stopped: no node has a score of 0 or more where it can run`);
  for (const [id, m] of Object.entries(scores)) {
    text.push(`${id} scores:`);
    for (const [node, s] of Object.entries(m)) text.push(`  ${node}: ${formatScore(s)}`);
  }
  if (reasons.length > 0) text.push('because:', ...[...new Set(reasons)].map((r) => `  ${r}`));
  return { resource: rsc, placements, scores, reasons, text };
}
