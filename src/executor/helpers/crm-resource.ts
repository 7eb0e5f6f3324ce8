import { readFileSync } from 'node:fs';
import { childrenNamed, firstChild, parseXml } from '../../cib/xml.js';
import type { HelperBackend } from './backend.js';
import { getopt, HelperUsageError, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';

const SPECS: OptionSpec[] = [
  { key: 'resource', short: 'r', long: ['resource'], arg: 'required' },
  { key: 'locate', short: 'W', long: ['locate'] },
  { key: 'quiet', short: 'Q', long: ['quiet'] },
  { key: 'utilization', short: 'z', long: ['utilization'] },
  { key: 'get', short: 'g', long: ['get-parameter'], arg: 'required' },
  { key: 'set', short: 'p', long: ['set-parameter'], arg: 'required' },
  { key: 'value', short: 'v', long: ['parameter-value'], arg: 'required' },
  { key: 'meta', short: 'm', long: ['meta'] },
  { key: 'verbose', short: 'V', long: ['verbose'] },
];

/** Nodes where the CIB's status shows the resource's last operation left it running. */
function runningOn(cibFile: string, rsc: string): { node: string; promoted: boolean }[] {
  const cib = parseXml(readFileSync(cibFile, 'utf8'), cibFile);
  const out: { node: string; promoted: boolean }[] = [];
  const status = firstChild(cib, 'status');
  for (const state of status ? childrenNamed(status, 'node_state') : []) {
    const lrm = firstChild(state, 'lrm');
    const resources = lrm ? firstChild(lrm, 'lrm_resources') : undefined;
    for (const r of resources ? childrenNamed(resources, 'lrm_resource') : []) {
      if (r.attrs.id !== rsc && r.attrs.id.replace(/:\d+$/, '') !== rsc) continue;
      const ops = childrenNamed(r, 'lrm_rsc_op').filter((o) => o.attrs.interval === '0' || o.attrs.interval === undefined);
      const last = ops.sort((a, b) => Number(a.attrs['call-id'] ?? 0) - Number(b.attrs['call-id'] ?? 0)).at(-1);
      if (!last) continue;
      const rc = last.attrs['rc-code'];
      const op = last.attrs.operation;
      if (op === 'stop' && rc === '0') continue;
      if (rc === '0' || rc === '8') out.push({ node: state.attrs.uname ?? state.attrs.id, promoted: rc === '8' || op === 'promote' });
    }
  }
  return out;
}

/**
 * crm_resource as agents use it offline: --locate from the CIB file's status. Utilization and
 * parameter edits need the cluster's CIB, which only the daemon (or `vigil configure`) changes.
 */
export function crmResource(argv: string[], _env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo): number {
  const { opts } = getopt('crm_resource', argv, SPECS);
  const rsc = opts.get('resource');
  if (opts.has('locate')) {
    if (!rsc) throw new HelperUsageError('crm_resource: --locate needs -r RESOURCE');
    const be = backend();
    const where = be.cibFile ? runningOn(be.cibFile, rsc) : [];
    if (where.length === 0) {
      if (!opts.has('quiet')) io.err(`resource ${rsc} is NOT running\n`);
      return 0;
    }
    for (const w of where) io.out(opts.has('quiet') ? `${w.node}\n` : `resource ${rsc} is running on: ${w.node}${w.promoted ? ' Promoted' : ''}\n`);
    return 0;
  }
  io.err('crm_resource: vigil answers only --locate for agents; other changes go through `vigil resource` and `vigil configure`\n');
  return 3;
}
