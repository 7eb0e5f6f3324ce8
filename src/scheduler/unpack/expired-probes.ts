import type { XmlElement } from '../../cib/xml.js';
import type { Primitive } from '../model.js';
import { parseIntervalMs } from '../score.js';

/** A probe result that is a failure: anything but "running", "not running" or "promoted". */
function failedProbe(op: XmlElement): boolean {
  if (op.name !== 'lrm_rsc_op' || op.attrs.operation !== 'monitor' || parseIntervalMs(op.attrs.interval ?? '0') !== 0) return false;
  const rc = Number(op.attrs['rc-code'] ?? NaN);
  return !Number.isNaN(rc) && rc !== 0 && rc !== 7 && rc !== 8;
}

/**
 * A resource's history on one node without the probe failures its failure-timeout has expired:
 * such a probe counts as never run (the node is probed again, and no longer banned). Undefined
 * when nothing else is recorded there.
 */
export function withoutExpiredProbes(lrm: XmlElement, rsc: Primitive, now: number): XmlElement | undefined {
  const timeoutMs = parseIntervalMs(rsc.meta.get('failure-timeout'));
  if (timeoutMs <= 0) return lrm;
  const expired = (op: XmlElement): boolean => failedProbe(op) && now - Number(op.attrs['last-rc-change'] ?? op.attrs['last-run'] ?? now) >= timeoutMs / 1000;
  if (!lrm.children.some(expired)) return lrm;
  const kept = lrm.children.filter((op) => !expired(op));
  return kept.some((op) => op.name === 'lrm_rsc_op') ? { ...lrm, children: kept } : undefined;
}
