import { readFile, writeFile } from 'node:fs/promises';
import { CommandError, UsageError, colour, parseOutputFormat, table } from '../../cli/output.js';
import { formatVigilConfig } from '../format.js';
import { ImportError, importCorosyncConf, importHaCf, type ImportNote, type ImportResult } from '../import/index.js';
import { checkConfig } from '../validate.js';

interface ImportArgs {
  haCf?: string;
  authkeys?: string;
  corosync?: string;
  authkey?: string;
  clusterName?: string;
  keyOut?: string;
  output: 'text' | 'json';
}

const USAGE =
  'vigil config import --ha-cf FILE [--authkeys FILE] [--cluster-name NAME] | --corosync FILE [--authkey FILE]  [--key-out FILE] [--output-as text|json]';

function parseArgs(argv: string[]): ImportArgs {
  const args: ImportArgs = { output: 'text' };
  const keys: Record<string, keyof Omit<ImportArgs, 'output'>> = {
    '--ha-cf': 'haCf',
    '--authkeys': 'authkeys',
    '--corosync': 'corosync',
    '--authkey': 'authkey',
    '--cluster-name': 'clusterName',
    '--key-out': 'keyOut',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag === '--output-as') {
      const f = parseOutputFormat(value);
      if (f === 'xml') throw new UsageError('config import prints text or json, not xml');
      args.output = f;
    } else if (flag in keys) {
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      args[keys[flag]] = value;
    } else throw new UsageError(`unknown option '${argv[i]}'\nusage: ${USAGE}`);
  }
  if ((args.haCf === undefined) === (args.corosync === undefined)) throw new UsageError(`give either --ha-cf or --corosync\nusage: ${USAGE}`);
  if (args.haCf === undefined && (args.authkeys !== undefined || args.clusterName !== undefined)) {
    throw new UsageError('--authkeys and --cluster-name go with --ha-cf');
  }
  if (args.corosync === undefined && args.authkey !== undefined) throw new UsageError('--authkey goes with --corosync');
  return args;
}

async function read(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new CommandError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 66);
  }
}

/**
 * `vigil config import`: translates ha.cf (+ authkeys) or corosync.conf (+ authkey) and prints the
 * vigil configuration with a note for every directive. Text output is itself a valid vigil.conf,
 * the notes as comments. Exit 0 when the result validates, 1 when it needs editing first.
 */
export async function runConfigImport(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv);
  let result: ImportResult;
  try {
    if (args.haCf !== undefined) {
      const haCf = (await read(args.haCf, 'ha.cf')).toString('utf8');
      const authkeys = args.authkeys !== undefined ? (await read(args.authkeys, 'authkeys')).toString('utf8') : undefined;
      result = importHaCf(haCf, authkeys, args.clusterName !== undefined ? { clusterName: args.clusterName } : {});
    } else {
      const text = (await read(args.corosync as string, 'corosync.conf')).toString('utf8');
      const key = args.authkey !== undefined ? new Uint8Array(await read(args.authkey, 'authkey')) : undefined;
      result = importCorosyncConf(text, key);
    }
  } catch (err) {
    if (err instanceof ImportError) throw new CommandError(err.message, 65);
    throw err;
  }
  if (args.keyOut !== undefined) {
    if (!result.key) throw new CommandError('--key-out given, but the legacy files held no usable key', 65);
    if (result.key.length < 16) throw new CommandError(`the legacy key is ${result.key.length} bytes; vigil needs at least 16: generate a new one`, 65);
    try {
      await writeFile(args.keyOut, result.key, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      throw new CommandError(`cannot write the key to ${args.keyOut}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (an existing file is never overwritten)`, 73);
    }
    result.config.crypto.keyFile = args.keyOut;
  }
  const problems = checkConfig(result.config).map((p) => `[${p.section}] ${p.message}`);
  if (args.output === 'json') {
    out.write(JSON.stringify({ config: result.config, notes: result.notes, keyFound: result.key !== undefined, problems }, null, 2) + '\n');
  } else {
    out.write(renderNotes(result.notes) + '\n' + formatVigilConfig(result.config));
    if (problems.length > 0) process.stderr.write(problems.map((p) => `vigil: ${colour.yellow('to fix')}: ${p}\n`).join(''));
  }
  return problems.length > 0 ? 1 : 0;
}

function renderNotes(notes: ImportNote[]): string {
  const mark = { translated: colour.green('translated'), unsupported: colour.red('unsupported'), 'ignored-with-reason': colour.yellow('ignored') };
  const rows = notes.map((n) => ['#', n.line !== undefined ? String(n.line) : '-', mark[n.status], n.directive, n.detail]);
  return table([['#', 'line', 'status', 'directive', 'what became of it'], ...rows]) + '\n';
}
