import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readUsers, verifyPassword } from '../../src/web/auth/passwords.js';
import { fixtureCib } from './fixture.js';

/** `vigil web passwd|users|deluser|serve`, run through commander as main.ts will register them. */

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist/web/cli.js');
const skip = existsSync(cli) ? null : 'dist/ is missing (npm run build): web CLI tests skipped';
const dir = mkdtempSync(join(tmpdir(), 'vigil-web-cli-'));
const users = join(dir, 'users');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = `
import { Command } from 'commander';
import { CommandError, UsageError } from '${join(root, 'dist/cli/output.js')}';
import { registerWebCommands } from '${cli}';
const program = new Command('vigil').exitOverride();
registerWebCommands(program);
try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); }
catch (err) { process.stderr.write('vigil: ' + err.message + '\\n'); process.exitCode = err instanceof UsageError ? 64 : err instanceof CommandError ? err.exitCode : 1; }
`;

function vigil(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { input, encoding: 'utf8', cwd: root, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(skip !== null)('vigil web commands', () => {
  it('passwd adds a user from stdin, users lists them, deluser removes one', async () => {
    const add = vigil(['web', 'passwd', 'ann', '--users', users], 'long enough pw\n');
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe(`ann (admin) saved in ${users}\n`);
    expect(vigil(['web', 'passwd', 'bob', '--role', 'viewer', '--users', users], 'another password\n').status).toBe(0);
    const [ann] = readUsers(users);
    expect(await verifyPassword('long enough pw', ann.hash)).toBe(true);
    const list = vigil(['web', 'users', '--users', users, '--output-as', 'json']);
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'ann', role: 'admin' }, { name: 'bob', role: 'viewer' }]);
    expect(vigil(['web', 'deluser', 'bob', '--users', users]).status).toBe(0);
    const gone = vigil(['web', 'deluser', 'bob', '--users', users]);
    expect(gone.status).toBe(105);
    expect(gone.stderr).toContain("no user 'bob'");
  });

  it('refuses bad arguments with a clear message and writes nothing', () => {
    const before = readUsers(users);
    const cases: [string[], string, RegExp][] = [
      [['web', 'passwd', 'ann', '--users', users], 'short\n', /at least 8 characters/],
      [['web', 'passwd', 'bad name', '--users', users], 'long enough pw\n', /not a valid user name/],
      [['web', 'passwd', 'carl', '--role', 'root', '--users', users], 'long enough pw\n', /--role must be admin or viewer/],
      [['web', 'serve', '--port', '70000', '--users', users], '', /--port must be a TCP port number/],
      [['web', 'serve', '--tls-cert', 'x.pem', '--users', users], '', /--tls-cert and --tls-key go together/],
    ];
    for (const [args, input, message] of cases) {
      const r = vigil(args, input);
      expect(r.status, args.join(' ')).toBe(64);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(readUsers(users)).toEqual(before);
  });

  it('serve --cib runs the console on loopback until SIGTERM', async () => {
    const cib = join(dir, 'cib.xml');
    writeFileSync(cib, fixtureCib());
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', 'web', 'serve', '--cib', cib, '--port', '0', '--users', users], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      expect(out).toContain(`vigil web console for ${cib}`);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect((await fetch(new URL('/api/status', url))).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });
});
