import { readFileSync } from 'node:fs';
import { element, parseXml, serializeXml } from '../../cib/xml.js';
import type { HelperBackend } from './backend.js';
import { getopt, HelperUsageError, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';
import { selectXPath, XPathError } from './xpath.js';

const SPECS: OptionSpec[] = [
  { key: 'query', short: 'Q', long: ['query'] },
  { key: 'xpath', short: 'A', long: ['xpath'], arg: 'required' },
  { key: 'scope', short: 'o', long: ['scope'], arg: 'required' },
  { key: 'local', short: 'l', long: ['local'] },
  { key: 'sync-call', short: 's', long: ['sync-call'] },
];

/**
 * cibadmin -Q as agents use it: the whole CIB (ocf-shellfuncs pipes it to crm_mon), or the
 * elements an XPath selects (drbd-attr, rabbitmq-cluster), wrapped in <xpath-query> when
 * there are several, as Pacemaker prints them. Only reading: changes go through vigil.
 */
export function cibadmin(argv: string[], _env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo): number {
  const { opts } = getopt('cibadmin', argv, SPECS);
  if (!opts.has('query')) throw new HelperUsageError('cibadmin: vigil answers only queries (-Q) for agents; change the CIB with vigil');
  const be = backend();
  if (!be.cibFile) {
    io.err(`cibadmin: no CIB to read (${be.describe} holds attributes only)\n`);
    return 102;
  }
  const text = readFileSync(be.cibFile, 'utf8');
  const xpath = opts.get('xpath');
  const scope = opts.get('scope');
  if (xpath === undefined && scope === undefined) {
    io.out(text);
    return 0;
  }
  let found;
  try {
    found = selectXPath(parseXml(text, be.cibFile), xpath ?? `//${scope}`);
  } catch (err) {
    if (err instanceof XPathError) throw new HelperUsageError(`cibadmin: ${err.message}`);
    throw err;
  }
  if (found.length === 0) {
    io.err(`cibadmin: no match for ${xpath ?? scope}\n`);
    return 105;
  }
  io.out(serializeXml(found.length === 1 ? found[0] : element('xpath-query', {}, found)));
  return 0;
}
