import type { HelperBackend } from './backend.js';
import { crmAttribute } from './crm-attribute.js';
import { getopt, HelperUsageError, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';

const SPECS: OptionSpec[] = [
  { key: 'verbose', short: 'V', long: ['verbose'] },
  { key: 'quiet', short: 'q', long: ['quiet'] },
  { key: 'quiet', short: 'Q', long: ['get-value'] },
  { key: 'query', short: 'G', long: ['query'] },
  { key: 'update', short: 'v', long: ['update', 'attr-value'], arg: 'required' },
  { key: 'delete', short: 'D', long: ['delete', 'delete-attr'] },
  { key: 'node', short: 'N', long: ['node', 'uname'], arg: 'required' },
  { key: 'node', short: 'U', arg: 'required' },
  { key: 'lifetime', short: 'l', long: ['lifetime'], arg: 'required' },
  { key: 'id', short: 'i', long: ['id', 'attr-id'], arg: 'required' },
  { key: 'resource', short: 'r', long: ['resource'], arg: 'required' },
];

/** crm_master: the promotion score of OCF_RESOURCE_INSTANCE (or -r), lifetime forever unless -l reboot. */
export function crmMaster(argv: string[], env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo): number {
  const { opts } = getopt('crm_master', argv, SPECS);
  const rsc = opts.get('resource') ?? env.OCF_RESOURCE_INSTANCE;
  if (!rsc) throw new HelperUsageError('crm_master: no resource specified (-r or OCF_RESOURCE_INSTANCE)');
  const args = [`--promotion=${rsc}`, '--lifetime', opts.get('lifetime') ?? 'forever'];
  for (const key of ['quiet', 'query', 'delete', 'verbose']) if (opts.has(key)) args.push(`--${key}`);
  for (const key of ['update', 'node', 'id']) {
    const v = opts.get(key);
    if (v !== undefined) args.push(`--${key}`, v);
  }
  return crmAttribute(args, env, backend, io);
}
