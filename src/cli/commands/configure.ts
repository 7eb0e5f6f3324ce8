import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readCibFile, writeCibFile } from '../../cib/io/file.js';
import { serializeXml, element, XmlSyntaxError } from '../../cib/xml.js';
import { loadCrm } from '../../crm/commit.js';
import { CrmCommitError, CrmSyntaxError } from '../../crm/errors.js';
import { installedAgentLookup, systemPickProvider } from '../../crm/io/agents.js';
import { configurationOf, type LoadMethod } from '../../crm/load.js';
import { listObjects, showConfiguration } from '../../crm/show.js';
import { CommandError, UsageError, colour, parseOutputFormat, printJson } from '../output.js';
import { commitLiveCib, readLiveCib } from '../../daemon/live-cib.js';
import type { XmlElement } from '../../cib/xml.js';
import { live, liveOrFile } from './cib.js';
import { registerConfigureShell } from '../configure-shell/register.js';

interface LoadOpts {
  force?: boolean;
  cib?: string;
  socket?: string;
  outputAs?: string;
}

interface ShowOpts {
  cib?: string;
  socket?: string;
  outputAs?: string;
  obscure?: boolean;
}

const SOCKET_HELP = 'the local vigild socket, for the live cluster (default: $VIGIL_SOCKET or /run/vigil/vigil.sock)';

/** The CIB to work on: a file, or the live cluster's (committed back through the DC). */
async function openCib(opts: { cib?: string; socket?: string }): Promise<{ cib: XmlElement; save: (next: XmlElement) => Promise<number> }> {
  const source = liveOrFile(opts);
  if (source.kind === 'live') {
    const base = await live(() => readLiveCib(source.socket));
    return { cib: base, save: async (next) => (await live(() => commitLiveCib(source.socket, base, next))).epoch };
  }
  let cib: XmlElement;
  try {
    cib = readCibFile(source.path);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new CommandError(err.message, 65);
    throw err;
  }
  return {
    cib,
    save: (next) => {
      writeCibFile(source.path, next);
      return Promise.resolve(Number(next.attrs.epoch));
    },
  };
}

export function registerCrmCommands(program: Command): void {
  const configure = program.command('configure').description('the crm shell configure language: load it into a CIB file, show a CIB in it');
  configure
    .command('load')
    .description('parse a crm configure file (- for stdin) and commit it to the CIB: update merges, replace starts over')
    .argument('<method>', 'update or replace')
    .argument('<file>', 'crm configure text; - reads stdin')
    .option('-F, --force', 'commit even when an agent is missing or its parameters do not match its meta-data')
    .option('--cib <file>', 'work on this CIB file (default: $CIB_file; without either, the live cluster)')
    .option('--socket <path>', SOCKET_HELP)
    .option('--output-as <format>', 'text or json')
    .action((method: string, file: string, opts: LoadOpts) => runLoad(method, file, opts));
  configure
    .command('show')
    .description('print the configuration in the crm language, or as XML with "show xml"; optionally only the objects named')
    .argument('[ids...]', 'xml, then object ids')
    .option('--cib <file>', 'work on this CIB file (default: $CIB_file; without either, the live cluster)')
    .option('--socket <path>', SOCKET_HELP)
    .option('--output-as <format>', 'text, json or xml')
    .option('--no-obscure', 'show passw* parameter values instead of ******')
    .action((ids: string[], opts: ShowOpts) => runShow(ids, opts));
  registerConfigureShell(configure);
}

async function runLoad(method: string, file: string, opts: LoadOpts): Promise<void> {
  if (method !== 'update' && method !== 'replace') throw new UsageError(`configure load: method must be update or replace, not '${method}'`);
  const format = parseOutputFormat(opts.outputAs);
  if (format === 'xml') throw new UsageError('configure load: --output-as must be text or json');
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CommandError(`cannot read ${file}: ${(err as Error).message}`, 66);
  }
  const { cib, save } = await openCib(opts);
  let outcome;
  try {
    outcome = loadCrm(cib, text, {
      method: method as LoadMethod,
      force: opts.force === true,
      lookupAgent: installedAgentLookup(),
      pickProvider: systemPickProvider,
      source: file === '-' ? '<stdin>' : file,
    });
  } catch (err) {
    if (err instanceof CrmSyntaxError) throw new CommandError(err.message, 1);
    if (err instanceof CrmCommitError) {
      const hint = err.forcible ? '\n(use -F/--force to commit anyway)' : '';
      throw new CommandError(`nothing committed:\n${err.errors.map((e) => `  ${colour.red('error')}: ${e.message}`).join('\n')}${hint}`, 1);
    }
    throw err;
  }
  const epoch = outcome.changed ? await save(outcome.cib) : Number(outcome.cib.attrs.epoch);
  if (format === 'json') {
    printJson({ changed: outcome.changed, epoch, warnings: outcome.warnings, forced: outcome.forced });
    return;
  }
  // Diagnostics go to stderr so that stdout stays clean for a pipeline that reads the CIB next.
  for (const w of outcome.warnings) process.stderr.write(`${colour.yellow('warning')}: ${w.message}\n`);
  for (const f of outcome.forced) process.stderr.write(`${colour.yellow('forced')}: ${f.message}\n`);
}

async function runShow(args: string[], opts: ShowOpts): Promise<void> {
  const wantXml = args[0] === 'xml';
  const ids = wantXml ? args.slice(1) : args;
  const format = wantXml ? 'xml' : parseOutputFormat(opts.outputAs);
  const config = configurationOf((await openCib(opts)).cib);
  const objects = listObjects(config);
  const missing = ids.filter((id) => !objects.some((o) => o.id === id));
  if (missing.length > 0) throw new CommandError(`no such object: ${missing.join(', ')}`, 105);
  if (format === 'xml') {
    const picked = ids.length === 0 ? config : element('configuration', {}, objects.filter((o) => ids.includes(o.id)).map((o) => o.element));
    process.stdout.write(serializeXml(picked));
    return;
  }
  const text = showConfiguration(config, ids, { obscure: opts.obscure !== false });
  if (format === 'json') {
    printJson(objects.filter((o) => ids.length === 0 || ids.includes(o.id)).map((o) => ({ type: o.type, id: o.id, text: showConfiguration(config, [o.id], { obscure: opts.obscure !== false }).trimEnd() })));
    return;
  }
  process.stdout.write(process.stdout.isTTY ? highlight(text) : text);
}

/** Keywords in bold and ids in blue on a terminal, as crmsh colours them; plain text otherwise. */
function highlight(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('\t')) return line.replace(/^\t(params|meta|utilization|operations|op|op_params|op_meta|attributes|rule|select|to)(?= )/, (_m, kw: string) => `\t${colour.bold(kw)}`);
      return line.replace(/^(\S+) (\S+)/, (_m, kw: string, id: string) => `${colour.bold(kw)} ${colour.blue(id)}`);
    })
    .join('\n');
}
