import type { CibVersion } from '../model/types.js';
import type { XmlElement } from '../xml.js';

const num = (cib: XmlElement, attr: string): number => {
  const v = Number(cib.attrs[attr] ?? '0');
  return Number.isInteger(v) && v >= 0 ? v : 0;
};

/**
 * The version of a CIB as replication reads it: unlike src/cib's strict versionOf, a missing or
 * broken attribute counts as 0, so that a hand-made CIB (an administrator's replacement, a file
 * from another tool) is still ordered — as the oldest — instead of stopping replication.
 */
export function cibVersion(cib: XmlElement): CibVersion {
  return { adminEpoch: num(cib, 'admin_epoch'), epoch: num(cib, 'epoch'), numUpdates: num(cib, 'num_updates') };
}

export function setVersion(cib: XmlElement, v: CibVersion): void {
  cib.attrs.admin_epoch = String(v.adminEpoch);
  cib.attrs.epoch = String(v.epoch);
  cib.attrs.num_updates = String(v.numUpdates);
}
