import type { AgentClass, OperationStatus } from './types.js';

/** OCF return codes (ocf-returncodes, plus Pacemaker's degraded codes). */
export const OCF = {
  SUCCESS: 0,
  ERR_GENERIC: 1,
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;

const OCF_MEANINGS: Record<number, [string, string]> = {
  0: ['OCF_SUCCESS', 'success (running, unpromoted)'],
  1: ['OCF_ERR_GENERIC', 'generic error: recover on this node'],
  2: ['OCF_ERR_ARGS', 'invalid arguments on this node'],
  3: ['OCF_ERR_UNIMPLEMENTED', 'action not implemented'],
  4: ['OCF_ERR_PERM', 'insufficient privileges'],
  5: ['OCF_ERR_INSTALLED', 'not installed on this node'],
  6: ['OCF_ERR_CONFIGURED', 'invalid configuration'],
  7: ['OCF_NOT_RUNNING', 'not running'],
  8: ['OCF_RUNNING_PROMOTED', 'running, promoted'],
  9: ['OCF_FAILED_PROMOTED', 'promoted instance failed'],
  190: ['OCF_DEGRADED', 'running, degraded'],
  191: ['OCF_DEGRADED_PROMOTED', 'promoted, degraded'],
};

export function ocfName(rc: number): string {
  return OCF_MEANINGS[rc]?.[0] ?? `unknown (${rc})`;
}

export function ocfMeaning(rc: number): string {
  return OCF_MEANINGS[rc]?.[1] ?? 'unknown exit code';
}

const FENCE_MEANINGS: Record<number, string> = {
  0: 'success (status: target is on)',
  1: 'generic error',
  2: 'bad arguments (status: target is off)',
  3: 'login denied',
  4: 'connection lost',
  5: 'timed out',
  6: 'failed waiting for on',
  7: 'failed waiting for off',
  8: 'status unknown',
  9: 'HMC status',
  10: 'password missing',
  11: 'insufficient privileges',
  12: 'VM UUID not found',
};

export function fenceMeaning(code: number): string {
  return FENCE_MEANINGS[code] ?? 'unknown exit code';
}

export interface MappedExit {
  rc: number;
  status: OperationStatus;
  /** Set when the mapping itself explains a failure (unknown code, fence failure). */
  reason?: string;
}

/**
 * Turns an agent's exit code into the OCF code the cluster acts on, as Pacemaker does per class:
 * LSB `status` 1–3 all mean "not running", 4 is an error; fence agents' codes have their own table.
 */
export function mapExitCode(agentClass: AgentClass, task: string, code: number): MappedExit {
  switch (agentClass) {
    case 'ocf':
      if (code in OCF_MEANINGS) return { rc: code, status: 'done' };
      return { rc: OCF.ERR_GENERIC, status: 'error', reason: `agent exited with unknown code ${code}` };
    case 'lsb':
    case 'service':
    case 'systemd':
      if (isStatusTask(task)) {
        if (code === 0) return { rc: OCF.SUCCESS, status: 'done' };
        if (code >= 1 && code <= 3) return { rc: OCF.NOT_RUNNING, status: 'done' };
        if (code === 4) return { rc: OCF.ERR_GENERIC, status: 'done', reason: 'status unknown (LSB 4)' };
        return { rc: OCF.ERR_GENERIC, status: 'error', reason: `status exited with unknown code ${code}` };
      }
      if (code >= 0 && code <= 7) return { rc: code, status: 'done' };
      return { rc: OCF.ERR_GENERIC, status: 'error', reason: `script exited with unknown code ${code}` };
    case 'stonith':
      if (code === 0) return { rc: OCF.SUCCESS, status: 'done' };
      if (isStatusTask(task) && code === 2) return { rc: OCF.NOT_RUNNING, status: 'done' };
      return { rc: OCF.ERR_GENERIC, status: 'done', reason: `fence agent: ${fenceMeaning(code)} (exit ${code})` };
  }
}

function isStatusTask(task: string): boolean {
  return task === 'monitor' || task === 'status';
}

/** A probe is a monitor with interval 0: "not running" is its normal answer, not a failure. */
export function isProbe(task: string, intervalMs: number): boolean {
  return task === 'monitor' && intervalMs === 0;
}

/**
 * Whether a result is what the cluster hoped for, for fail-count purposes. Probes may find the
 * resource stopped (7), or not installed (5, "not running here"); stop must return 0.
 */
export function isFailure(task: string, intervalMs: number, rc: number, status: OperationStatus): boolean {
  if (status === 'cancelled') return false;
  if (status === 'timed-out' || status === 'error' || status === 'not-supported') return true;
  if (isProbe(task, intervalMs)) return !(rc === OCF.SUCCESS || rc === OCF.NOT_RUNNING || rc === OCF.RUNNING_PROMOTED || rc === OCF.ERR_INSTALLED || rc === OCF.DEGRADED || rc === OCF.DEGRADED_PROMOTED);
  if (task === 'monitor') return !(rc === OCF.SUCCESS || rc === OCF.RUNNING_PROMOTED || rc === OCF.DEGRADED || rc === OCF.DEGRADED_PROMOTED);
  return rc !== OCF.SUCCESS;
}

/** Pacemaker's op-status number for the CIB's lrm_rsc_op (PCMK_EXEC_*). */
export function pacemakerOpStatus(status: OperationStatus): 0 | 1 | 2 | 3 | 4 | 7 {
  switch (status) {
    case 'done':
      return 0;
    case 'cancelled':
      return 1;
    case 'timed-out':
      return 2;
    case 'not-supported':
      return 3;
    case 'error':
      return 4;
    case 'not-installed':
      return 7;
  }
}
