/**
 * no-quorum-policy=suicide: a partition that lost quorum fences every member online in it, the DC
 * included ('cluster does not have quorum'), and what ran there stops with them. Pacemaker honours
 * it only with fencing enabled and in a cluster that has had quorum (have-quorum, or
 * no-quorum-panic on the CIB); otherwise the policy is stop, as it is for an unknown value.
 */
import type { XmlElement } from '../../cib/xml.js';
import { isTrue } from '../score.js';

const POLICIES = new Set(['stop', 'freeze', 'ignore', 'demote', 'suicide']);

export function effectiveNoQuorumPolicy(cib: XmlElement, configured: string | undefined, stonithEnabled: boolean): string {
  const policy = (configured ?? 'stop').toLowerCase();
  if (!POLICIES.has(policy)) return 'stop';
  if (policy !== 'suicide') return policy;
  const panic = (Number.parseInt(cib.attrs['no-quorum-panic'] ?? '0', 10) || 0) !== 0;
  return stonithEnabled && (panic || isTrue(cib.attrs['have-quorum'])) ? 'suicide' : 'stop';
}

/** Members online in a partition without quorum are fenced, under the suicide policy. */
export function fencesForLostQuorum(cib: XmlElement, policy: string): boolean {
  return policy === 'suicide' && !isTrue(cib.attrs['have-quorum']);
}
