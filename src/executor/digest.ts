import { createHash } from 'node:crypto';

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
  const text = attrs.map(([n, v]) => ` ${n}="${escapeAttr(v)}"`).join('');
  return ` <parameters${text}/>\n`;
}

export function opDigest(params: Record<string, string>, intervalMs: number, timeoutMs: number): string {
  return createHash('md5').update(digestInput(params, intervalMs, timeoutMs), 'utf8').digest('hex');
}

/** Pacemaker's escaping of a digested value (checked against crm_simulate): not XML's for whitespace; the scheduler's md5.ts must agree. */
function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '    ');
}
