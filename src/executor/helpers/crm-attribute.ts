import { AttributeError, getAttribute, parseScore, setAttribute, scopeForLifetime, type AttributeScope } from '../../attributes/store.js';
import { promotionScoreName } from '../../attributes/failcount.js';
import type { HelperBackend } from './backend.js';
import { getopt, HelperUsageError, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';

/** Pacemaker's exit code for "no such attribute" (CRM_EX_NOSUCH). */
export const EXIT_NOSUCH = 105;

const SPECS: OptionSpec[] = [
  { key: 'name', short: 'n', long: ['name', 'attr-name'], arg: 'required' },
  { key: 'update', short: 'v', long: ['update', 'attr-value'], arg: 'required' },
  { key: 'query', short: 'G', long: ['query', 'get-value'] },
  { key: 'delete', short: 'D', long: ['delete', 'delete-attr'] },
  { key: 'quiet', short: 'q', long: ['quiet'] },
  { key: 'quiet', short: 'Q' },
  { key: 'node', short: 'N', long: ['node', 'uname'], arg: 'required' },
  { key: 'node', short: 'U', arg: 'required' },
  { key: 'lifetime', short: 'l', long: ['lifetime'], arg: 'required' },
  { key: 'type', short: 't', long: ['type'], arg: 'required' },
  { key: 'utilization', short: 'z', long: ['utilization'] },
  { key: 'set', short: 's', long: ['set-name'], arg: 'required' },
  { key: 'id', short: 'i', long: ['id', 'attr-id'], arg: 'required' },
  { key: 'default', short: 'd', long: ['default'], arg: 'required' },
  { key: 'promotion', short: 'p', long: ['promotion'], arg: 'optional' },
  { key: 'verbose', short: 'V', long: ['verbose'] },
];

/** Which store section a crm_attribute call addresses, from -t/-l/-z/-p/-N as Pacemaker decides it. */
function scopeOf(opts: Map<string, string>): AttributeScope {
  if (opts.has('utilization')) return 'utilization';
  const lifetime = opts.get('lifetime');
  const type = opts.get('type');
  if (lifetime !== undefined) {
    if (lifetime !== 'reboot' && lifetime !== 'forever') throw new HelperUsageError(`crm_attribute: --lifetime must be reboot or forever, not '${lifetime}'`);
    return scopeForLifetime(lifetime);
  }
  if (type !== undefined) {
    switch (type) {
      case 'status':
        return 'transient';
      case 'nodes':
        return 'permanent';
      case 'crm_config':
        return 'cluster';
      default:
        throw new HelperUsageError(`crm_attribute: --type must be nodes, status or crm_config, not '${type}'`);
    }
  }
  if (opts.has('promotion')) return 'transient';
  return opts.has('node') ? 'permanent' : 'cluster';
}

const SCOPE_LABEL: Record<AttributeScope, string> = { transient: 'status', permanent: 'nodes', utilization: 'nodes', cluster: 'crm_config' };

export function crmAttribute(argv: string[], env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo): number {
  const { opts } = getopt('crm_attribute', argv, SPECS);
  let name = opts.get('name');
  if (opts.has('promotion')) {
    const rsc = opts.get('promotion') !== 'true' ? opts.get('promotion') : env.OCF_RESOURCE_INSTANCE;
    if (!rsc) throw new HelperUsageError('crm_attribute: --promotion needs a resource (or OCF_RESOURCE_INSTANCE)');
    name = promotionScoreName(rsc);
  }
  if (!name) throw new HelperUsageError('crm_attribute: an attribute name is required (-n NAME)');
  const scope = scopeOf(opts);
  const be = backend();
  const node = opts.get('node') ?? be.nodeName;
  const ref = { scope, node, name };
  const value = opts.get('update');
  if (opts.has('delete')) {
    be.update((s) => setAttribute(s, ref, undefined));
    return 0;
  }
  if (value !== undefined) {
    if (opts.has('promotion')) parseScore(value);
    be.update((s) => setAttribute(s, ref, value));
    return 0;
  }
  // Query, explicitly (-G) or by default when nothing is to be changed.
  const current = getAttribute(be.read(), ref) ?? opts.get('default');
  if (current === undefined) {
    io.err(`crm_attribute: attribute '${name}' not found${scope === 'cluster' ? '' : ` for node ${node}`}\n`);
    return EXIT_NOSUCH;
  }
  if (opts.has('quiet')) io.out(`${current}\n`);
  else io.out(`scope=${SCOPE_LABEL[scope]}  name=${name} value=${current}\n`);
  return 0;
}

export { AttributeError };
