/**
 * restart-type=restart (deprecated, still honoured by Pacemaker): a resource with it restarts
 * whenever something ordered before it restarts, even through an optional order, as if the
 * order implied it.
 */
import type { Ordering } from '../constraints/parse.js';

export function restartTypeImpliesThen(o: Ordering): boolean {
  return o.kind === 'Optional' && (o.then.meta.get('restart-type') ?? '').toLowerCase() === 'restart';
}
