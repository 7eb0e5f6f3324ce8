import { CibError } from './model/errors.js';
import type { CibVersion } from './model/types.js';
import { firstChild, type XmlElement } from './xml.js';

/**
 * A CIB's version is the triple (admin_epoch, epoch, num_updates), compared in that order: the
 * copy with the higher version wins when nodes disagree. A configuration change bumps epoch (and
 * resets num_updates); a status-only change bumps num_updates; admin_epoch moves only by hand.
 */

export function versionOf(cib: XmlElement): CibVersion {
  const read = (attr: string): number => {
    const text = cib.attrs[attr];
    if (text === undefined) throw new CibError(`<${cib.name}> has no '${attr}' attribute`, cib.name, attr);
    if (!/^\d+$/.test(text)) throw new CibError(`<${cib.name}> ${attr}="${text}" is not a non-negative integer`, cib.name, attr);
    return Number(text);
  };
  return { adminEpoch: read('admin_epoch'), epoch: read('epoch'), numUpdates: read('num_updates') };
}

/** Negative if a is older than b, positive if newer, 0 if the same version. */
export function compareVersions(a: CibVersion, b: CibVersion): number {
  return Math.sign(a.adminEpoch - b.adminEpoch) || Math.sign(a.epoch - b.epoch) || Math.sign(a.numUpdates - b.numUpdates);
}

export function formatVersion(v: CibVersion): string {
  return `${v.adminEpoch}.${v.epoch}.${v.numUpdates}`;
}

export type ChangeKind = 'configuration' | 'status';

export function nextVersion(v: CibVersion, change: ChangeKind): CibVersion {
  return change === 'configuration'
    ? { adminEpoch: v.adminEpoch, epoch: v.epoch + 1, numUpdates: 0 }
    : { ...v, numUpdates: v.numUpdates + 1 };
}

export function withVersion(cib: XmlElement, v: CibVersion): XmlElement {
  return {
    ...cib,
    attrs: { ...cib.attrs, admin_epoch: String(v.adminEpoch), epoch: String(v.epoch), num_updates: String(v.numUpdates) },
  };
}

/**
 * Gives `updated` the version that follows `previous`'s for what changed between them: epoch+1
 * if the configuration differs, num_updates+1 if only the status does, unchanged otherwise.
 * Returns a new root sharing `updated`'s children.
 */
export function bumpVersion(previous: XmlElement, updated: XmlElement): XmlElement {
  const base = versionOf(previous);
  const same = (name: string): boolean => sameXml(firstChild(previous, name), firstChild(updated, name));
  if (!same('configuration')) return withVersion(updated, nextVersion(base, 'configuration'));
  if (!same('status')) return withVersion(updated, nextVersion(base, 'status'));
  return withVersion(updated, base);
}

/** Deep equality of two trees, attribute order included; shared subtrees compare at once. */
export function sameXml(a: XmlElement | undefined, b: XmlElement | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.name !== b.name || a.text !== b.text || a.children.length !== b.children.length) return false;
  const ka = Object.keys(a.attrs);
  const kb = Object.keys(b.attrs);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a.attrs[ka[i]] !== b.attrs[kb[i]]) return false;
  for (let i = 0; i < a.children.length; i++) if (!sameXml(a.children[i], b.children[i])) return false;
  return true;
}
