import { createHash } from 'node:crypto';
import { escapeDigestValue } from '../scheduler/md5.js';

/** Attributes Pacemaker never lets into a digest: bookkeeping that changes without the definition changing. */
const NEVER_DIGESTED = new Set(['id', 'crm_feature_set', 'op-digest', 'CRM_meta_on_node', 'CRM_meta_on_node_uuid', 'pcmk_external_ip']);

/**
 * The text Pacemaker hashes for an op-digest: the parameters as one `<parameters/>` element with
 * its attributes sorted by name, written the way its XML dumper writes a digest input (a leading
 * space and a trailing newline). CRM_meta_* values are left out, except the timeout of a
 * recurring operation, which is part of what defines it.
 */
export function digestInput(params: Record<string, string>, intervalMs: number, timeoutMs: number): string {
  const attrs: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (NEVER_DIGESTED.has(name) || name.toLowerCase().startsWith('crm_meta_')) continue;
    attrs.push([name, value]);
  }
  if (intervalMs > 0) attrs.push(['CRM_meta_timeout', String(timeoutMs)]);
  attrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = attrs.map(([n, v]) => ` ${n}="${escapeDigestValue(v)}"`).join('');
  return ` <parameters${text}/>\n`;
}

export function opDigest(params: Record<string, string>, intervalMs: number, timeoutMs: number): string {
  return createHash('md5').update(digestInput(params, intervalMs, timeoutMs), 'utf8').digest('hex');
}
