import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { getopt, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';

const SPECS: OptionSpec[] = [
  { key: 'one-shot', short: '1', long: ['one-shot'] },
  { key: 'output-as', long: ['output-as'], arg: 'required' },
  { key: 'xml', short: 'X', long: ['as-xml'] },
  { key: 'group-by-node', short: 'n', long: ['group-by-node'] },
  { key: 'inactive', short: 'r', long: ['inactive'] },
  { key: 'verbose', short: 'V', long: ['verbose'] },
];

/**
 * crm_mon as agents call it (`-1`, `-1 --output-as=xml`): one status snapshot from the local
 * daemon, through `vigil status`, whose XML has crm_mon's element and attribute names.
 * Display options (-n, -r) do not change what pgsql reads, and are accepted.
 */
export function crmMon(argv: string[], env: NodeJS.ProcessEnv, _backend: unknown, io: HelperIo): number {
  const { opts } = getopt('crm_mon', argv, SPECS);
  if (!opts.has('one-shot')) {
    io.err('crm_mon: vigil answers only one-shot status here (-1); use `vigil status --watch` to follow the cluster\n');
    return 64;
  }
  const format = opts.has('xml') ? 'xml' : (opts.get('output-as') ?? 'text');
  const res = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli', 'main.js'), 'status', '--output-as', format], { env, encoding: 'utf8' });
  io.out(res.stdout ?? '');
  io.err(res.stderr ?? '');
  return res.status ?? 1;
}
