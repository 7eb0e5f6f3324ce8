/**
 * The records the executor takes and gives back. Plain data, so the controller can store them
 * in the CIB status section and a simulation can fabricate them.
 */

/** Which program runs an operation. `ocf:vigil:*` are vigil's built-in agents. */
export type AgentSpec =
  | { agentClass: 'ocf'; provider: string; type: string }
  | { agentClass: 'lsb'; type: string }
  | { agentClass: 'systemd'; type: string }
  | { agentClass: 'service'; type: string }
  | { agentClass: 'stonith'; type: string };

export type AgentClass = AgentSpec['agentClass'];

export interface OperationRequest {
  /** Id as the node's history knows it (`rsc`, or `clone:2` for a clone instance). */
  resourceId: string;
  agent: AgentSpec;
  /** Instance attributes, already evaluated for this node: OCF_RESKEY_<name>. */
  params: Record<string, string>;
  /** Meta attributes of the resource and the op: OCF_RESKEY_CRM_meta_<name>. */
  meta: Record<string, string>;
  task: string;
  /** 0 for probes and one-shot operations. */
  intervalMs: number;
  timeoutMs: number;
}

/**
 * How the operation ended, independent of the agent's code:
 * - `done`: the agent ran to completion; `rc` is its (mapped) exit code.
 * - `timed-out`: killed at its timeout; `rc` is 1 (generic error), as Pacemaker records it.
 * - `error`: could not be run or ended abnormally (killed by a signal, exit code outside the OCF set).
 * - `cancelled`: a pending or recurring operation cancelled before it ran (a stop, `cancelRecurring`).
 * - `not-installed`: the agent's program does not exist on this node (rc 5).
 * - `not-supported`: the class cannot be run here (systemd without systemd as PID 1) (rc 3).
 */
export type OperationStatus = 'done' | 'timed-out' | 'error' | 'cancelled' | 'not-installed' | 'not-supported';

export interface OperationResult {
  resourceId: string;
  task: string;
  intervalMs: number;
  /** OCF exit code after class mapping (LSB status 3 → 7 ...). */
  rc: number;
  /** The agent's own exit code or signal, before mapping; undefined when it never ran. */
  rawExit?: { code: number } | { signal: string };
  status: OperationStatus;
  /** From `ocf-exit-reason:` lines on stderr, or the executor's own reason (timeout, not installed). */
  exitReason: string;
  /** Bounded: the tail of the output is kept when the agent prints more than the limit. */
  stdout: string;
  stderr: string;
  startedAtMs: number;
  durationMs: number;
  /** How long it waited behind other operations of the resource or the node limit. */
  queueTimeMs: number;
  /** Pacemaker's op-digest of the parameters, for restart-on-change decisions. */
  digest: string;
}

export const OUTPUT_LIMIT_BYTES = 16 * 1024;
