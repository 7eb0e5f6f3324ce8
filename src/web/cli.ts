import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CommandError, parseOutputFormat, printJson, table, UsageError } from '../cli/output.js';

/**
 * `vigil web serve` runs the console beside vigild; `vigil web passwd NAME` adds a user or sets
 * their password; `vigil web users` lists them. Registered into the main program by main.ts.
 */

interface ServeOptions {
  socket?: string;
  cib?: string;
  port: string;
  host: string;
  users?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function registerWebCommands(program: Command): void {
  const web = program.command('web').description('the web console: serve it, manage its users');
  web
    .command('serve')
    .description('serve the web console for the local vigild (or for a CIB file with --cib)')
    .option('--socket <path>', 'vigild socket (default $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .option('--cib <file>', 'serve a CIB file instead of the live cluster')
    .option('--port <n>', 'TCP port', '7630')
    .option('--host <address>', 'address to listen on (default loopback only)', '127.0.0.1')
    .option('--users <file>', 'users file (default $VIGIL_WEB_USERS or /etc/vigil/web-users)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .action(async (opts: ServeOptions) => serve(opts));
  web
    .command('passwd <name>')
    .description('add a console user or change their password (read from stdin, or asked for on a terminal)')
    .option('--role <role>', 'admin (may change the cluster) or viewer (may only look)', 'admin')
    .option('--users <file>', 'users file (default $VIGIL_WEB_USERS or /etc/vigil/web-users)')
    .action(async (name: string, opts: { role: string; users?: string }) => passwd(name, opts));
  web
    .command('deluser <name>')
    .description('remove a console user (their open sessions end at once)')
    .option('--users <file>', 'users file (default $VIGIL_WEB_USERS or /etc/vigil/web-users)')
    .action(async (name: string, opts: { users?: string }) => {
      const { removeUser, usersFilePath } = await import('./auth/passwords.js');
      const file = usersFilePath(opts.users);
      if (!readUsersOrFail(() => removeUser(file, name))) throw new CommandError(`no user '${name}' in ${file}`, 105);
      process.stdout.write(`${name} removed from ${file}\n`);
    });
  web
    .command('users')
    .description('list the console users and their roles')
    .option('--users <file>', 'users file (default $VIGIL_WEB_USERS or /etc/vigil/web-users)')
    .option('--output-as <format>', 'text or json', 'text')
    .action(async (opts: { users?: string; outputAs?: string }) => {
      const format = parseOutputFormat(opts.outputAs);
      const { readUsers, usersFilePath } = await import('./auth/passwords.js');
      const users = readUsersOrFail(() => readUsers(usersFilePath(opts.users)));
      if (format === 'json') return printJson(users.map((u) => ({ name: u.name, role: u.role })));
      if (users.length === 0) return void process.stdout.write(`no users in ${usersFilePath(opts.users)}\n`);
      process.stdout.write(table([['USER', 'ROLE'], ...users.map((u) => [u.name, u.role])]) + '\n');
    });
}

function readUsersOrFail<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new CommandError((err as Error).message, 65);
  }
}

function portNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a TCP port number (0-65535), not '${text}'`);
  return n;
}

async function serve(opts: ServeOptions): Promise<void> {
  const port = portNumber(opts.port);
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (opts.cib !== undefined && opts.socket !== undefined) throw new UsageError('give --socket or --cib, not both');
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new CommandError(`cannot read ${file}: ${(err as Error).message}`, 66);
    }
  };
  const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { cert: read(opts.tlsCert), key: read(opts.tlsKey) } : undefined;
  const { startWebConsole } = await import('./server.js');
  const { liveBackend, fileBackend } = await import('./backend.js');
  const { socketPath } = await import('../daemon/client.js');
  const { readUsers, usersFilePath } = await import('./auth/passwords.js');
  const { systemAgents } = await import('./agents.js');
  const usersFile = usersFilePath(opts.users);
  const users = readUsersOrFail(() => readUsers(usersFile));
  const backend = opts.cib !== undefined ? fileBackend(opts.cib) : liveBackend(socketPath(opts.socket));
  let web;
  try {
    web = await startWebConsole({ backend, port, host: opts.host, usersFile, tls, agents: systemAgents(), log: (m) => process.stderr.write(`vigil web: ${m}\n`) });
  } catch (err) {
    throw new CommandError(`cannot listen on ${opts.host}:${port}: ${(err as Error).message}`, 69);
  }
  process.stdout.write(`vigil web console for ${backend.describe} at ${web.url}\n`);
  if (users.length === 0) process.stdout.write(`no users yet: add one with 'vigil web passwd NAME' (users file ${usersFile})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await web.close();
}

async function passwd(name: string, opts: { role: string; users?: string }): Promise<void> {
  const { hashPassword, usersFilePath, validUserName, writeUser } = await import('./auth/passwords.js');
  if (!validUserName(name)) throw new UsageError(`'${name}' is not a valid user name: use letters, digits, '.', '_' and '-' (at most 64)`);
  if (opts.role !== 'admin' && opts.role !== 'viewer') throw new UsageError(`--role must be admin or viewer, not '${opts.role}'`);
  const password = process.stdin.isTTY ? await askTwice() : firstLine(readFileSync(0, 'utf8'));
  if (password.length < 8) throw new UsageError('the password must have at least 8 characters');
  const file = usersFilePath(opts.users);
  const hash = await hashPassword(password);
  readUsersOrFail(() => writeUser(file, { name, role: opts.role as 'admin' | 'viewer', hash }));
  process.stdout.write(`${name} (${opts.role}) saved in ${file}\n`);
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/\r$/, '');
}

async function askTwice(): Promise<string> {
  const first = await ask('password: ');
  const second = await ask('again: ');
  if (first !== second) throw new UsageError('the two passwords differ: nothing saved');
  return first;
}

/** Reads a line from the terminal without echoing it. */
function ask(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let line = '';
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          return resolve(line);
        }
        if (ch === '\u0003') {
          done();
          return reject(new CommandError('cancelled', 130));
        }
        if (ch === '\u007f') line = line.slice(0, -1);
        else line += ch;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
    };
    stdin.on('data', onData);
  });
}
