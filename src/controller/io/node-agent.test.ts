import { describe, expect, it } from 'vitest';
import { parseXml } from '../../cib/xml.js';
import type { OperationResult } from '../../executor/index.js';
import { clusterStatus } from '../../status/index.js';
import { applyStatusUpdates } from '../history.js';
import { outcomeOf } from './node-agent.js';

const result = (status: OperationResult['status'], rc: number): OperationResult => ({
  resourceId: 'r1', task: 'start', intervalMs: 0, rc, status, exitReason: '', stdout: '', stderr: '',
  startedAtMs: 1_700_000_000_000, durationMs: 20_000, queueTimeMs: 0, digest: 'd',
});

const CIB = parseXml(`<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/>
  <nodes><node id="n1" uname="n1"/></nodes>
  <resources><primitive id="r1" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints/></configuration>
  <status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>`);

/** What a status display makes of the record the DC writes for an executor result. */
function recorded(status: OperationResult['status'], rc: number): { statusText: string } | undefined {
  const outcome = outcomeOf(result(status, rc));
  const cib = applyStatusUpdates(CIB, [{
    kind: 'operation',
    op: {
      node: 'n1', resource: { id: 'r1', agentClass: 'ocf', provider: 'heartbeat', type: 'Dummy' }, task: 'start', intervalMs: 0, callId: 3,
      rc: outcome.rc, opStatus: outcome.opStatus, targetRc: 0, transitionKey: '1:1:0:uuid', lastRcChange: 1_700_000_020, execTimeMs: 20_000, queueTimeMs: 0, exitReason: '',
    },
  }]);
  return clusterStatus(cib).failures[0];
}

describe('operation results as the DC records them', () => {
  it("write Pacemaker's op-status codes, so every reader of the CIB agrees on what happened", () => {
    expect(recorded('timed-out', 1)?.statusText).toBe('Timed Out');
    expect(recorded('error', 1)?.statusText).toBe('Error');
    expect(recorded('not-installed', 5)?.statusText).toBe('Not installed');
    expect(recorded('done', 0)).toBeUndefined();
  });
});
