import type { XmlElement } from '../cib/xml.js';

/** Pacemaker's CIB version triple: compared in this order, the greater is newer. */
export interface CibVersion {
  adminEpoch: number;
  epoch: number;
  numUpdates: number;
}

const num = (cib: XmlElement, attr: string): number => {
  const v = Number(cib.attrs[attr] ?? '0');
  return Number.isInteger(v) && v >= 0 ? v : 0;
};

export function cibVersion(cib: XmlElement): CibVersion {
  return { adminEpoch: num(cib, 'admin_epoch'), epoch: num(cib, 'epoch'), numUpdates: num(cib, 'num_updates') };
}

export function compareVersions(a: CibVersion, b: CibVersion): number {
  return a.adminEpoch - b.adminEpoch || a.epoch - b.epoch || a.numUpdates - b.numUpdates;
}

export function formatVersion(v: CibVersion): string {
  return `${v.adminEpoch}.${v.epoch}.${v.numUpdates}`;
}

export function setVersion(cib: XmlElement, v: CibVersion): void {
  cib.attrs.admin_epoch = String(v.adminEpoch);
  cib.attrs.epoch = String(v.epoch);
  cib.attrs.num_updates = String(v.numUpdates);
}
