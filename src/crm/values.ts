import { parseDurationMs } from '../cib/values.js';

/** Value checks for what Pacemaker would misread or ignore: crmsh lets these through, vigil refuses them. */

/** A Pacemaker duration: a number with an optional unit, or ISO 8601 (PT10S). */
export function isDuration(v: string): boolean {
  return parseDurationMs(v) !== undefined;
}

const BOOLEANS = ['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '1', '0'];

function isBoolean(v: string): boolean {
  return BOOLEANS.includes(v.toLowerCase());
}

function isInteger(v: string): boolean {
  return /^[+-]?\d+$/.test(v);
}

function isScore(v: string): boolean {
  return /^[+-]?(\d+|INFINITY|inf)$/i.test(v);
}

/** A date_spec field: an integer or an inclusive range `N-M`. */
export function isDateSpecValue(v: string): boolean {
  return /^\d+(-\d+)?$/.test(v);
}

type Kind = 'boolean' | 'integer' | 'score' | 'duration' | string[];

/** Resource meta-attributes (and rsc_defaults) whose values Pacemaker parses; verifyCib checks the booleans and target-role. */
export const RESOURCE_META: Record<string, Kind> = {
  priority: 'integer', 'clone-max': 'integer', 'clone-node-max': 'integer', 'promoted-max': 'integer', 'promoted-node-max': 'integer',
  'master-max': 'integer', 'master-node-max': 'integer', 'migration-threshold': 'score', 'resource-stickiness': 'score',
  'failure-timeout': 'duration', 'multiple-active': ['block', 'stop_only', 'stop_start', 'stop_unexpected'],
  requires: ['nothing', 'quorum', 'fencing', 'unfencing'],
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
