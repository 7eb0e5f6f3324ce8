import { readFileSync } from 'node:fs';
import { childrenNamed, firstChild, parseXml } from '../../cib/xml.js';
import type { HelperBackend } from './backend.js';
import { getopt, HelperUsageError, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';

const SPECS: OptionSpec[] = [
  { key: 'name', short: 'n', long: ['name'] },
  { key: 'list', short: 'l', long: ['list'] },
  { key: 'partition', short: 'p', long: ['partition'] },
  { key: 'quorum', short: 'q', long: ['quorum'] },
  { key: 'id', short: 'i', long: ['cluster-id'] },
  { key: 'name-for-id', short: 'N', long: ['name-for-id'], arg: 'required' },
  { key: 'verbose', short: 'V', long: ['verbose'] },
];

interface KnownNode {
  id: string;
  name: string;
}

/** Nodes the offline helpers know: the CIB file's nodes section, and always this node. */
function knownNodes(be: HelperBackend, env: NodeJS.ProcessEnv): KnownNode[] {
  const nodes: KnownNode[] = [];
  if (be.cibFile) {
    try {
      const cib = parseXml(readFileSync(be.cibFile, 'utf8'), be.cibFile);
      const section = firstChild(firstChild(cib, 'configuration') ?? cib, 'nodes');
      for (const n of section ? childrenNamed(section, 'node') : []) nodes.push({ id: n.attrs.id, name: n.attrs.uname ?? n.attrs.id });
    } catch {
      // An unreadable CIB file leaves only this node known.
    }
  }
  if (!nodes.some((n) => n.name === be.nodeName)) nodes.push({ id: env.VIGIL_NODE_ID ?? String(nodes.length + 1), name: be.nodeName });
  return nodes;
}

/**
 * crm_node as agents use it. Without a daemon there is no membership beyond this node, so this
 * node is the partition and has quorum: an agent asking is, after all, running here.
 */
export function crmNode(argv: string[], env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo): number {
  const { opts } = getopt('crm_node', argv, SPECS);
  const be = backend();
  const nodes = knownNodes(be, env);
  const self = nodes.find((n) => n.name === be.nodeName) as KnownNode;
  if (opts.has('name')) io.out(`${be.nodeName}\n`);
  else if (opts.has('list')) for (const n of nodes) io.out(`${n.id} ${n.name} ${n.name === be.nodeName ? 'member' : 'lost'}\n`);
  else if (opts.has('partition')) io.out(`${be.nodeName}\n`);
  else if (opts.has('quorum')) io.out('1\n');
  else if (opts.has('id')) io.out(`${self.id}\n`);
  else if (opts.has('name-for-id')) {
    const n = nodes.find((x) => x.id === opts.get('name-for-id'));
    if (!n) {
      io.err(`crm_node: no node with id ${opts.get('name-for-id')}\n`);
      return 105;
    }
    io.out(`${n.name}\n`);
  } else throw new HelperUsageError('crm_node: give one of -n, -l, -p, -q, -i, -N ID');
  return 0;
}
