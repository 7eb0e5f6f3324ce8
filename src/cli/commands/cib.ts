import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readCibFile } from '../../cib/io/file.js';
import { verifyCib, type Finding, type VerifyResult } from '../../cib/verify.js';
import { parseXml, serializeXml, XmlSyntaxError, type XmlElement } from '../../cib/xml.js';
import { DaemonError } from '../../daemon/client.js';
import { chooseCibSource, LiveCibError, queryLiveCib, readLiveCib } from '../../daemon/live-cib.js';
import { colour, CommandError, parseOutputFormat, printJson, table } from '../output.js';

const SCOPES = ['configuration', 'nodes', 'resources', 'constraints', 'crm_config', 'rsc_defaults', 'op_defaults', 'alerts', 'fencing-topology', 'tags', 'acls', 'status'];

/** crm_verify's exit code for a configuration that did not pass (CRM_EX_CONFIG, sysexits' EX_CONFIG). */
export const EXIT_CONFIG_INVALID = 78;

export function registerCibCommands(program: Command): void {
  const cib = program.command('cib').description('read and write the Cluster Information Base (like cibadmin)');
  cib
    .command('query')
    .description('print the CIB, or one section of it, as XML (cibadmin --query)')
    .option('--scope <section>', `only this section: ${SCOPES.join(', ')}`)
    .option('--cib <file>', 'work on this CIB file (default: $CIB_file; without either, the live cluster)')
    .option('--socket <path>', 'the local vigild socket, for the live cluster (default: $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .action(async (opts: { scope?: string; cib?: string; socket?: string }) => {
      if (opts.scope !== undefined && !SCOPES.includes(opts.scope)) throw new CommandError(`unknown --scope '${opts.scope}': expected one of ${SCOPES.join(', ')}`, 64);
      const source = liveOrFile(opts);
      if (source.kind === 'live') {
        process.stdout.write(await live(() => queryLiveCib(source.socket, opts.scope)));
        return;
      }
      const root = readCibFile(source.path);
      const section = opts.scope ? findSection(root, opts.scope) : root;
      process.stdout.write(serializeXml(section));
    });
  registerVerifyCommand(program);
}

function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('check a CIB configuration for errors (crm_verify)')
    .option('--cib <file>', 'check this CIB file (default: $CIB_file; without either, the live cluster)')
    .option('--socket <path>', 'the local vigild socket, for the live cluster (default: $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .option('-x, --xml-file <file>', 'check this CIB XML file (as crm_verify -x); it must exist')
    .option('-V, --verbose', 'also print warnings (repeat for no more effect)', (_v: string, n: number) => n + 1, 0)
    .option('--output-as <format>', 'text or json')
    .addHelpText(
      'after',
      `
Exit status (as crm_verify): 0 when there is no error (warnings alone do not fail the check;
they are printed with -V, and always listed with --output-as json), ${EXIT_CONFIG_INVALID} when there
is an error or the file is not well-formed XML, 64 for a bad option, 66 for a missing -x file.
`,
    )
    .action(async (opts: { cib?: string; socket?: string; xmlFile?: string; verbose: number; outputAs?: string }) => {
      const format = parseOutputFormat(opts.outputAs);
      if (format === 'xml') throw new CommandError('vigil verify prints text or json, not xml', 64);
      const root = await loadForVerify(opts);
      const result = verifyCib(root);
      if (format === 'json') printJson({ valid: result.errors.length === 0, errors: result.errors, warnings: result.warnings });
      else printFindings(result, opts.verbose > 0);
      if (result.errors.length > 0) process.exitCode = EXIT_CONFIG_INVALID;
    });
}

async function loadForVerify(opts: { cib?: string; socket?: string; xmlFile?: string }): Promise<XmlElement> {
  if (opts.xmlFile !== undefined && (opts.cib !== undefined || opts.socket !== undefined)) throw new CommandError('give one of --cib, --socket and --xml-file', 64);
  try {
    if (opts.xmlFile !== undefined) {
      if (!existsSync(opts.xmlFile)) throw new CommandError(`${opts.xmlFile}: no such file`, 66);
      return parseXml(readFileSync(opts.xmlFile, 'utf8'), opts.xmlFile);
    }
    const source = liveOrFile(opts);
    if (source.kind === 'live') return await live(() => readLiveCib(source.socket));
    return readCibFile(source.path);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new CommandError(`${err.message}\nconfiguration not valid`, EXIT_CONFIG_INVALID);
    throw err;
  }
}

function printFindings(result: VerifyResult, verbose: boolean): void {
  const shown: Finding[] = verbose ? [...result.errors, ...result.warnings] : result.errors;
  if (shown.length > 0) {
    const rows = shown.map((f) => [
      f.severity === 'error' ? colour.red('error') : colour.yellow('warning'),
      f.id ?? '-',
      f.message,
    ]);
    process.stdout.write(table(rows) + '\n');
  }
  const hidden = verbose ? 0 : result.warnings.length;
  if (result.errors.length > 0) {
    process.stdout.write(colour.bold(`Errors found during check: configuration not valid (${result.errors.length} error(s), ${result.warnings.length} warning(s))`) + '\n');
  } else if (result.warnings.length > 0) {
    process.stdout.write(`Configuration valid, with ${result.warnings.length} warning(s)${hidden > 0 ? ' (-V shows them)' : ''}\n`);
  } else if (verbose) {
    process.stdout.write(colour.green('Configuration valid') + '\n');
  }
}

/** The CIB file named by --cib or $CIB_file, else the live cluster through vigild's socket. */
export function liveOrFile(opts: { cib?: string; socket?: string }): ReturnType<typeof chooseCibSource> {
  try {
    return chooseCibSource(opts);
  } catch (err) {
    if (err instanceof LiveCibError) throw new CommandError(err.message, err.code);
    throw err;
  }
}

/** Runs a request to the live cluster, turning the daemon's refusals into the CLI's errors. */
export async function live<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof DaemonError || err instanceof LiveCibError) throw new CommandError(err.message, err.code);
    throw err;
  }
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
