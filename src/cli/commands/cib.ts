import type { Command } from 'commander';
import { cibFilePath, readCibFile } from '../../cib/io/file.js';
import { serializeXml, type XmlElement } from '../../cib/xml.js';
import { CommandError } from '../output.js';

const SCOPES = ['configuration', 'nodes', 'resources', 'constraints', 'crm_config', 'rsc_defaults', 'op_defaults', 'alerts', 'fencing-topology', 'tags', 'acls', 'status'];

export function registerCibCommands(program: Command): void {
  const cib = program.command('cib').description('read and write the Cluster Information Base (like cibadmin)');
  cib
    .command('query')
    .description('print the CIB, or one section of it, as XML (cibadmin --query)')
    .option('--scope <section>', `only this section: ${SCOPES.join(', ')}`)
    .option('--cib <file>', 'work on this CIB file (default: $CIB_file)')
    .action((opts: { scope?: string; cib?: string }) => {
      const path = requireCibFile(opts.cib);
      const root = readCibFile(path);
      const section = opts.scope ? findSection(root, opts.scope) : root;
      process.stdout.write(serializeXml(section));
    });
}

export function requireCibFile(explicit?: string): string {
  const path = cibFilePath(explicit);
  if (!path) throw new CommandError('no CIB file given (use --cib FILE or set CIB_file); the live cluster is not reachable from this command yet');
  return path;
}

function findSection(root: XmlElement, scope: string): XmlElement {
  if (!SCOPES.includes(scope)) throw new CommandError(`unknown --scope '${scope}': expected one of ${SCOPES.join(', ')}`, 64);
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.shift() as XmlElement;
    if (el.name === scope) return el;
    if (el.name === 'cib' || el.name === 'configuration') stack.push(...el.children);
  }
  throw new CommandError(`the CIB has no ${scope} section`, 105);
}
