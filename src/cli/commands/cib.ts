import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cibFilePath, readCibFile } from '../../cib/io/file.js';
import { verifyCib, type Finding, type VerifyResult } from '../../cib/verify.js';
import { parseXml, serializeXml, XmlSyntaxError, type XmlElement } from '../../cib/xml.js';
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
    .option('--cib <file>', 'work on this CIB file (default: $CIB_file)')
    .action((opts: { scope?: string; cib?: string }) => {
      const path = requireCibFile(opts.cib);
      const root = readCibFile(path);
      const section = opts.scope ? findSection(root, opts.scope) : root;
      process.stdout.write(serializeXml(section));
    });
  registerVerifyCommand(program);
}

function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('check a CIB configuration for errors (crm_verify)')
    .option('--cib <file>', 'check this CIB file (default: $CIB_file)')
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
    .action((opts: { cib?: string; xmlFile?: string; verbose: number; outputAs?: string }) => {
      const format = parseOutputFormat(opts.outputAs);
      if (format === 'xml') throw new CommandError('vigil verify prints text or json, not xml', 64);
      const root = loadForVerify(opts);
      const result = verifyCib(root);
      if (format === 'json') printJson({ valid: result.errors.length === 0, errors: result.errors, warnings: result.warnings });
      else printFindings(result, opts.verbose > 0);
      if (result.errors.length > 0) process.exitCode = EXIT_CONFIG_INVALID;
    });
}

function loadForVerify(opts: { cib?: string; xmlFile?: string }): XmlElement {
  if (opts.cib !== undefined && opts.xmlFile !== undefined) throw new CommandError('give --cib or --xml-file, not both', 64);
  try {
    if (opts.xmlFile !== undefined) {
      if (!existsSync(opts.xmlFile)) throw new CommandError(`${opts.xmlFile}: no such file`, 66);
      return parseXml(readFileSync(opts.xmlFile, 'utf8'), opts.xmlFile);
    }
    return readCibFile(requireCibFile(opts.cib));
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
