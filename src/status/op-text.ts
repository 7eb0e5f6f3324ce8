/** Names Pacemaker gives to agent exit codes and executor states in status output. */

const RC_TEXT: Record<number, string> = {
  0: 'ok',
  1: 'error',
  2: 'invalid parameter',
  3: 'unimplemented feature',
  4: 'insufficient privileges',
  5: 'not installed',
  6: 'not configured',
  7: 'not running',
  8: 'promoted',
  9: 'promoted (failed)',
  190: 'degraded',
  191: 'promoted (degraded)',
};

export function rcText(rc: number): string {
  return RC_TEXT[rc] ?? 'unknown';
}

const EXEC_TEXT: Record<number, string> = {
  [-1]: 'pending',
  0: 'complete',
  1: 'Cancelled',
  2: 'Timed Out',
  3: 'NOT SUPPORTED',
  4: 'Error',
  5: 'Hard error',
  6: 'Fatal error',
  7: 'Not installed',
  8: 'Internal communication failure',
  9: 'Cannot execute now',
  10: 'No fence device',
  11: 'Authentication failure',
};

export function execStatusText(status: number): string {
  return EXEC_TEXT[status] ?? 'UNKNOWN';
}

/** Tasks whose names contain an underscore, which a naive split would cut. */
const COMPOUND_TASKS = ['migrate_to', 'migrate_from'];

/** Split an operation key `RSC_TASK_INTERVAL` into its parts. */
export function parseOpKey(key: string): { rsc: string; task: string; intervalMs: number } | undefined {
  const m = /^(.*)_(\d+)$/.exec(key);
  if (!m) return undefined;
  const head = m[1]!;
  const intervalMs = Number(m[2]);
  for (const t of COMPOUND_TASKS) {
    if (head.endsWith(`_${t}`)) return { rsc: head.slice(0, -t.length - 1), task: t, intervalMs };
  }
  const i = head.lastIndexOf('_');
  if (i <= 0) return undefined;
  return { rsc: head.slice(0, i), task: head.slice(i + 1), intervalMs };
}

/**
 * Interval text as crm_mon prints it: days, hours and minutes only when
 * strictly more than one unit, then `Ns`, `N.NNNs` or `NNNms` (so 60000 ms
 * is `60s` and 1000 ms is `1000ms`).
 */
export function readableInterval(ms: number): string {
  let rest = ms;
  let out = '';
  for (const [size, unit] of [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
  ] as const) {
    if (rest > size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 1000) {
    const frac = rest % 1000;
    out += `${Math.floor(rest / 1000)}${frac > 0 ? `.${String(frac).padStart(3, '0')}` : ''}s`;
  } else if (rest > 0) {
    out += `${rest}ms`;
  } else if (out === '') {
    out = '0s';
  }
  return out;
}
