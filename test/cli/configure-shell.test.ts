import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const VIGIL = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-cfgshell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = 'property stonith-enabled=false\nprimitive d Dummy op monitor interval=10s\nprimitive e Dummy\ngroup g d e\n';

function vigil(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [VIGIL, ...args], {
    input: input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', VISUAL: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let n = 0;
/** A CIB file with CONFIG loaded, and its text as written. */
function freshCib(): { cib: string; before: string } {
  const cib = join(dir, `cib-${++n}.xml`);
  const load = vigil(['configure', 'load', 'update', '-', '--cib', cib], {}, CONFIG);
  expect(load.code).toBe(0);
  return { cib, before: readFileSync(cib, 'utf8') };
}

/** An $EDITOR that runs a shell script on the file it is given ("$1"). */
function editor(script: string): string {
  const path = join(dir, `editor-${++n}.sh`);
  writeFileSync(path, `#!/bin/sh\nset -e\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe.skipIf(!existsSync(VIGIL))('vigil configure edit (built CLI)', () => {
  it('commits a sed edit with --yes, shows its diff, and bumps the epoch', () => {
    const { cib } = freshCib();
    const r = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: editor("sed -i 's/interval=10s/interval=20s/' \"$1\"") });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('@@ -1,5 +1,5 @@\n primitive d Dummy \\\n-\top monitor interval=10s\n+\top monitor interval=20s\n');
    expect(r.out).toMatch(/committed: epoch 3\n$/);
    const xml = readFileSync(cib, 'utf8');
    expect(xml).toContain('<op name="monitor" interval="20s" id="d-monitor-20s"/>');
    expect(xml).toMatch(/epoch="3"/);
  });

  it('edits only the objects named, leaves the others as they were, and reports json', () => {
    const { cib, before } = freshCib();
    const ed = editor('grep -q "^primitive e Dummy$" "$1" && ! grep -q "primitive d" "$1" && echo "primitive e Dummy meta target-role=Stopped" > "$1"');
    const r = vigil(['configure', 'edit', 'e', '--cib', cib, '--yes', '--output-as', 'json'], { EDITOR: ed });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { changed: boolean; epoch: number; diff: Array<{ op: string; text: string }> };
    expect(result).toMatchObject({ changed: true, epoch: 3 });
    expect(result.diff.filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: 'primitive e Dummy' },
      { op: '+', text: 'primitive e Dummy meta target-role=Stopped' },
    ]);
    const after = readFileSync(cib, 'utf8');
    expect(after).toContain('<nvpair name="target-role" value="Stopped" id="e-meta_attributes-target-role"/>');
    // Apart from the version and e's new meta attributes, the file is as it was: d, g, the order.
    const e = [
      '        <primitive id="e" class="ocf" provider="heartbeat" type="Dummy">',
      '          <meta_attributes id="e-meta_attributes">',
      '            <nvpair name="target-role" value="Stopped" id="e-meta_attributes-target-role"/>',
      '          </meta_attributes>',
      '        </primitive>',
    ].join('\n');
    expect(after).toBe(before.replace(' epoch="2"', ' epoch="3"').replace('        <primitive id="e" class="ocf" provider="heartbeat" type="Dummy"/>', e));
  });

  it('writes nothing for a syntax error and names its line and column', () => {
    const { cib, before } = freshCib();
    const r = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: editor("sed -i 's/^primitive e/primitve e/' \"$1\"") });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/syntax error: \S*configuration\.crm:3:1: found "primitve"/);
    expect(readFileSync(cib, 'utf8')).toBe(before);
  });

  it('writes nothing when the commit checks fail', () => {
    const { cib, before } = freshCib();
    const r = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: editor("sed -i 's/interval=10s/interval=soon/' \"$1\"") });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot commit:\n.*interval 'soon' is not a duration/);
    expect(readFileSync(cib, 'utf8')).toBe(before);
  });

  it('refuses the commit when the CIB changed after the edit began', () => {
    const { cib } = freshCib();
    // The editor itself changes the CIB through vigil (which bumps its epoch) before saving.
    const ed = editor(`printf 'primitive x Dummy\\n' | "${process.execPath}" "${VIGIL}" configure load update - --cib "${cib}"\nsed -i 's/interval=10s/interval=20s/' "$1"`);
    const r = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: ed });
    expect(r.code).toBe(75);
    expect(r.err).toMatch(/the CIB changed underneath since the edit began: it was read at admin_epoch 0, epoch 2, and is now at admin_epoch 0, epoch 3; nothing committed/);
    const xml = readFileSync(cib, 'utf8');
    expect(xml).toContain('<primitive id="x"');
    expect(xml).toContain('interval="10s"');
  });

  it('refuses a change made to the file at the same epoch', () => {
    const { cib } = freshCib();
    const ed = editor(`sed -i 's/interval="10s"/interval="15s"/' "${cib}"\nsed -i 's/interval=10s/interval=20s/' "$1"`);
    const r = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: ed });
    expect(r.code).toBe(75);
    expect(r.err).toMatch(/changed at the same epoch/);
    expect(readFileSync(cib, 'utf8')).toContain('interval="15s"');
  });

  it('says "no changes" for an unchanged file, and writes nothing', () => {
    const { cib, before } = freshCib();
    const r = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: editor('touch "$1"') });
    expect(r.code).toBe(0);
    expect(r.out).toBe('no changes\n');
    expect(readFileSync(cib, 'utf8')).toBe(before);
    const reformatted = vigil(['configure', 'edit', '--cib', cib, '--yes', '--output-as', 'json'], { EDITOR: editor("sed -i 's/^primitive e Dummy$/primitive e  Dummy/' \"$1\"") });
    expect(JSON.parse(reformatted.out)).toMatchObject({ changed: false, epoch: 2 });
    expect(readFileSync(cib, 'utf8')).toBe(before);
  });

  it('off a terminal without --yes, refuses before opening the editor', () => {
    const { cib, before } = freshCib();
    const r = vigil(['configure', 'edit', '--cib', cib], { EDITOR: editor("echo opened >&2\nsed -i 's/interval=10s/interval=20s/' \"$1\"") });
    expect(r.code).toBe(1);
    expect(r.err).toBe('vigil: not on a terminal: give --yes to commit without asking; nothing committed\n');
    expect(readFileSync(cib, 'utf8')).toBe(before);
  });

  it('writes nothing when the editor fails, and names an unknown object', () => {
    const { cib, before } = freshCib();
    const failed = vigil(['configure', 'edit', '--cib', cib, '--yes'], { EDITOR: editor("sed -i 's/interval=10s/interval=20s/' \"$1\"\nexit 3") });
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/exited with status 3; nothing committed/);
    const missing = vigil(['configure', 'edit', 'nosuch', '--cib', cib, '--yes'], { EDITOR: editor('true') });
    expect(missing.code).toBe(105);
    expect(missing.err).toMatch(/no such object: nosuch/);
    expect(readFileSync(cib, 'utf8')).toBe(before);
  });

  it('bare "configure" off a terminal prints help instead of opening an editor', () => {
    const r = vigil(['configure'], { EDITOR: editor('echo opened >&2') });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('Usage: vigil configure');
    expect(r.err).not.toContain('opened');
    const typo = vigil(['configure', 'eddit'], { EDITOR: editor('echo opened >&2') });
    expect(typo.code).toBe(64);
    expect(typo.err).toBe("vigil: configure: unknown command 'eddit' (see vigil configure --help)\n");
  });
});
