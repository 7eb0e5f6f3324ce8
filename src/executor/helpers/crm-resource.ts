import { readFileSync } from 'node:fs';
import { readCibFile, writeCibFile } from '../../cib/io/file.js';
import { withFileLock } from '../../attributes/io/lock.js';
import { childrenNamed, element, firstChild, parseXml, type XmlElement } from '../../cib/xml.js';
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

function findPrimitive(el: XmlElement, id: string): XmlElement | undefined {
  for (const child of el.children) {
    if (child.name === 'primitive' && child.attrs.id === id) return child;
    const inner = findPrimitive(child, id);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * A resource's utilization (VirtualDomain and Xen publish their memory and CPUs this way),
 * read or written in the CIB file; a write bumps the configuration epoch as any change does.
 */
function utilization(cibFile: string, rsc: string, name: string, value: string | undefined, io: HelperIo, quiet: boolean): number {
  const id = rsc.replace(/:\d+$/, '');
  const locate = (cib: XmlElement): XmlElement => {
    const prim = findPrimitive(firstChild(cib, 'configuration') ?? cib, id);
    if (!prim) throw new HelperUsageError(`crm_resource: no resource '${id}' in ${cibFile}`);
    return prim;
  };
  if (value === undefined) {
    const prim = locate(readCibFile(cibFile));
    const nv = childrenNamed(prim, 'utilization').flatMap((u) => childrenNamed(u, 'nvpair')).find((n) => n.attrs.name === name);
    if (nv?.attrs.value === undefined) {
      if (!quiet) io.err(`crm_resource: resource ${id} has no utilization attribute '${name}'\n`);
      return 105;
    }
    io.out(`${nv.attrs.value}\n`);
    return 0;
  }
  withFileLock(`${cibFile}.lock`, () => {
    const cib = readCibFile(cibFile);
    const prim = locate(cib);
    let set = childrenNamed(prim, 'utilization')[0];
    if (!set) {
      set = element('utilization', { id: `${id}-utilization` });
      prim.children.push(set);
    }
    const nv = childrenNamed(set, 'nvpair').find((n) => n.attrs.name === name);
    if (nv) nv.attrs.value = value;
    else set.children.push(element('nvpair', { id: `${set.attrs.id ?? id}-${name}`, name, value }));
    cib.attrs.epoch = String(Number(cib.attrs.epoch ?? 0) + 1);
    writeCibFile(cibFile, cib);
  });
  return 0;
}

/**
 * crm_resource as agents use it: --locate from the CIB's status, and resource utilization.
 * Other edits go through `vigil resource` and `vigil configure`.
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
  if (opts.has('utilization')) {
    if (!rsc) throw new HelperUsageError('crm_resource: --utilization needs -r RESOURCE');
    const name = opts.get('get') ?? opts.get('set');
    if (!name) throw new HelperUsageError('crm_resource: --utilization needs -g NAME or -p NAME -v VALUE');
    const value = opts.has('set') ? opts.get('value') : undefined;
    if (opts.has('set') && value === undefined) throw new HelperUsageError('crm_resource: -p NAME needs -v VALUE');
    const be = backend();
    if (!be.cibFile) {
      io.err(`crm_resource: resource utilization lives in the CIB, and ${be.describe} holds node attributes only\n`);
      return 102;
    }
    return utilization(be.cibFile, rsc, name, value, io, opts.has('quiet'));
  }
  io.err('crm_resource: vigil answers --locate and --utilization for agents; other changes go through `vigil resource` and `vigil configure`\n');
  return 3;
}
