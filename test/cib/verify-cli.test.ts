import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `vigil verify` as a user runs it: the built CLI (npm test builds before testing).
const CLI = resolve(__dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'vigil-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, resources: string, constraints = ''): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/>` +
      `<nodes><node id="1" uname="n1"/></nodes><resources>${resources}</resources>` +
      `<constraints>${constraints}</constraints></configuration><status/></cib>`,
  );
  return path;
}

function vigil(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, 'verify', ...args], { encoding: 'utf8', env: { ...process.env, CIB_file: '', NO_COLOR: '1' } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const FENCE = '<primitive id="f" class="stonith" type="fence_ipmilan"/>';

describe.skipIf(!existsSync(CLI))(`vigil verify${existsSync(CLI) ? '' : ' (skipped: run npm run build first)'}`, () => {
  it('exits 0 and prints nothing for a sound CIB', () => {
    expect(vigil('-x', file('ok.xml', FENCE))).toEqual({ code: 0, out: '', err: '' });
  });

  it('warnings alone exit 0; -V prints them', () => {
    const path = file('warn.xml', FENCE, '<rsc_location id="l" rsc="f" node="n7" score="1"/>');
    expect(vigil('-x', path)).toMatchObject({ code: 0, out: 'Configuration valid, with 1 warning(s) (-V shows them)\n' });
    const verbose = vigil('-V', '-x', path);
    expect(verbose.code).toBe(0);
    expect(verbose.out).toContain("warning  l  rsc_location l: node 'n7' is not in the nodes section");
  });

  it('errors exit 78 with each error on its own line', () => {
    const run = vigil('--cib', file('bad.xml', FENCE + '<group id="g"/>', '<rsc_order id="o" first="g" then="nope"/>'));
    expect(run.code).toBe(78);
    expect(run.out.split('\n')).toEqual([
      'error  g  group g is empty',
      "error  o  rsc_order o then: resource 'nope' does not exist",
      'Errors found during check: configuration not valid (2 error(s), 0 warning(s))',
      '',
    ]);
  });

  it('--output-as json lists errors and warnings', () => {
    const run = vigil('-x', file('json.xml', '<group id="g"/>'), '--output-as', 'json');
    expect(run.code).toBe(78);
    const result = JSON.parse(run.out) as { valid: boolean; errors: { message: string }[]; warnings: unknown[] };
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.message)).toEqual(['group g is empty']);
    expect(result.warnings).toEqual([]);
  });

  it('malformed XML exits 78 naming line and column; a missing -x file exits 66', () => {
    const path = join(dir, 'broken.xml');
    writeFileSync(path, '<cib>\n  <configuration>\n</cib>\n');
    const run = vigil('-x', path);
    expect(run.code).toBe(78);
    expect(run.err).toMatch(/broken\.xml:3:\d+: malformed XML/);
    expect(vigil('-x', join(dir, 'absent.xml'))).toMatchObject({ code: 66 });
  });
});
