/** Value checks for what Pacemaker would misread or ignore: crmsh lets these through, vigil refuses them. */

const DURATION_RE = /^\d+(\.\d+)?\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?$/i;
const ISO_DURATION_RE = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export function isDuration(v: string): boolean {
  return DURATION_RE.test(v) || ISO_DURATION_RE.test(v);
}

const BOOLEANS = ['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '1', '0'];

export function isBoolean(v: string): boolean {
  return BOOLEANS.includes(v.toLowerCase());
}

export function isFalse(v: string): boolean {
  return ['false', 'no', 'off', 'n', '0'].includes(v.toLowerCase());
}

export function isInteger(v: string): boolean {
  return /^[+-]?\d+$/.test(v);
}

export function isScore(v: string): boolean {
  return /^[+-]?(\d+|INFINITY|inf)$/i.test(v);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ISO 8601 as Pacemaker's crm_time reads it: calendar, ordinal or week date, optional time and offset. */
export function isIsoDateTime(v: string): boolean {
  const m = v.match(/^(\d{4})-(?:(\d{2})-(\d{2})|(\d{3})|W(\d{2})-([1-7]))(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/);
  if (!m) return false;
  const [, , month, day, ordinal, week, , hh, mm, ss] = m;
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > DAYS[Number(month) - 1])) return false;
  if (ordinal !== undefined && (Number(ordinal) < 1 || Number(ordinal) > 366)) return false;
  if (week !== undefined && (Number(week) < 1 || Number(week) > 53)) return false;
  if (hh !== undefined && (Number(hh) > 24 || Number(mm) > 59 || Number(ss ?? 0) > 60)) return false;
  return true;
}

/** A date_spec field: an integer or an inclusive range `N-M`. */
export function isDateSpecValue(v: string): boolean {
  return /^\d+(-\d+)?$/.test(v);
}

export const OP_NAMES = ['start', 'stop', 'monitor', 'promote', 'demote', 'notify', 'reload', 'reload-agent', 'migrate_to', 'migrate_from', 'meta-data', 'validate-all', 'recover', 'status'];
export const ROLES = ['Stopped', 'Started', 'Promoted', 'Unpromoted', 'Master', 'Slave'];
export const ON_FAIL = ['ignore', 'block', 'demote', 'stop', 'restart', 'standby', 'fence', 'restart-container'];

type Kind = 'boolean' | 'integer' | 'score' | 'duration' | string[];

/** Resource meta-attributes (and rsc_defaults) whose values Pacemaker parses. */
export const RESOURCE_META: Record<string, Kind> = {
  'is-managed': 'boolean', maintenance: 'boolean', notify: 'boolean', 'globally-unique': 'boolean', interleave: 'boolean',
  ordered: 'boolean', collocated: 'boolean', promotable: 'boolean', 'allow-migrate': 'boolean', critical: 'boolean',
  priority: 'integer', 'clone-max': 'integer', 'clone-node-max': 'integer', 'promoted-max': 'integer', 'promoted-node-max': 'integer',
  'master-max': 'integer', 'master-node-max': 'integer', 'migration-threshold': 'score', 'resource-stickiness': 'score',
  'failure-timeout': 'duration', 'target-role': ROLES, 'multiple-active': ['block', 'stop_only', 'stop_start', 'stop_unexpected'],
  requires: ['nothing', 'quorum', 'fencing', 'unfencing'],
};

/** `<op>` attributes and op_defaults. */
export const OP_VALUES: Record<string, Kind> = {
  interval: 'duration', timeout: 'duration', 'start-delay': 'duration', enabled: 'boolean', 'record-pending': 'boolean',
  'on-fail': ON_FAIL, role: ROLES,
};

/** Cluster options vigil knows; others only get a warning, as in crmsh. */
export const CLUSTER_OPTIONS: Record<string, Kind | 'text'> = {
  'stonith-enabled': 'boolean', 'maintenance-mode': 'boolean', 'symmetric-cluster': 'boolean', 'start-failure-is-fatal': 'boolean',
  'stop-orphan-resources': 'boolean', 'stop-orphan-actions': 'boolean', 'stop-all-resources': 'boolean', 'enable-startup-probes': 'boolean',
  'concurrent-fencing': 'boolean', 'startup-fencing': 'boolean', 'shutdown-lock': 'boolean', 'have-watchdog': 'boolean', 'is-managed-default': 'boolean',
  'no-quorum-policy': ['stop', 'freeze', 'ignore', 'demote', 'suicide'], 'placement-strategy': ['default', 'utilization', 'minimal', 'balanced'],
  'stonith-action': ['reboot', 'off', 'poweroff'], 'node-health-strategy': ['none', 'migrate-on-red', 'only-green', 'progressive', 'custom'],
  'cluster-recheck-interval': 'duration', 'stonith-timeout': 'duration', 'dc-deadtime': 'duration', 'election-timeout': 'duration',
  'shutdown-escalation': 'duration', 'join-integration-timeout': 'duration', 'join-finalization-timeout': 'duration', 'transition-delay': 'duration',
  'fence-reaction': ['stop', 'panic'], 'priority-fencing-delay': 'duration', 'stonith-watchdog-timeout': 'text', 'shutdown-lock-limit': 'duration',
  'batch-limit': 'integer', 'migration-limit': 'integer', 'cluster-ipc-limit': 'integer', 'stonith-max-attempts': 'integer',
  'pe-error-series-max': 'integer', 'pe-warn-series-max': 'integer', 'pe-input-series-max': 'integer', 'node-action-limit': 'integer',
  'default-resource-stickiness': 'score', 'node-health-green': 'score', 'node-health-yellow': 'score', 'node-health-red': 'score', 'node-health-base': 'integer',
  'cluster-name': 'text', 'dc-version': 'text', 'cluster-infrastructure': 'text', 'last-lrm-refresh': 'text', 'load-threshold': 'text',
  'remove-after-stop': 'boolean', 'crmd-transition-delay': 'duration',
};

/** Why `value` is not a `kind`, or undefined when it is. */
export function checkValue(kind: Kind | 'text', value: string): string | undefined {
  if (kind === 'text') return undefined;
  if (Array.isArray(kind)) return kind.some((k) => k.toLowerCase() === value.toLowerCase()) ? undefined : `one of ${kind.join(', ')}`;
  switch (kind) {
    case 'boolean':
      return isBoolean(value) ? undefined : 'a boolean (true or false)';
    case 'integer':
      return isInteger(value) ? undefined : 'an integer';
    case 'score':
      return isScore(value) ? undefined : 'a score (an integer, INFINITY or -INFINITY)';
    case 'duration':
      return isDuration(value) ? undefined : 'a duration (such as 10s, 5min, 1h or 0)';
  }
  return undefined;
}
