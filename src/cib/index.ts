/** The CIB part's public face: the model, its XML import/export, versions, diff/patch and verify. */
export * from './model/types.js';
export { readCib } from './model/read.js';
export { writeCib } from './model/write.js';
export { CibError } from './model/errors.js';
export { nvValue, isPromotable, allResources, findResource } from './model/query.js';
export type { Extra, Layout } from './model/fidelity.js';
export * from './values.js';
export { verifyCib, type Finding, type VerifyResult } from './verify.js';
export { diffCib, applyCibPatch, CibPatchError, type CibPatch, type CibChange } from './diff.js';
export { versionOf, compareVersions, formatVersion, nextVersion, withVersion, bumpVersion, sameXml, type ChangeKind } from './versions.js';
export { parseXml, serializeXml, XmlSyntaxError, type XmlElement } from './xml.js';
export { emptyCib } from './empty.js';
