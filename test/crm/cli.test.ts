import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const VIGIL = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-crm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vigil(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [VIGIL, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const CONFIG = 'property stonith-enabled=false\nprimitive d Dummy op monitor interval=10s\n';

describe.skipIf(!existsSync(VIGIL))('vigil configure (built CLI)', () => {
  it('loads from stdin into the --cib file, bumps the epoch, and shows it back', () => {
    const cib = join(dir, 'a.xml');
    const load = vigil(['configure', 'load', 'update', '-', '--cib', cib, '--output-as', 'json'], CONFIG);
    expect(load.code).toBe(0);
    expect(JSON.parse(load.out)).toMatchObject({ changed: true, epoch: 2 });
    expect(readFileSync(cib, 'utf8')).toContain('<op name="monitor" interval="10s" id="d-monitor-10s"/>');
    const show = vigil(['configure', 'show', '--cib', cib]);
    expect(show.out).toBe('primitive d Dummy \\\n\top monitor interval=10s\nproperty cib-bootstrap-options: \\\n\tstonith-enabled=false\n');
  });

  it("knows vigil's built-in agents and checks their parameters", () => {
    const cib = join(dir, 'builtin.xml');
    const ok = vigil(['configure', 'load', 'update', '-', '--cib', cib], 'property stonith-enabled=false\nprimitive w ocf:vigil:Dummy\n');
    expect(ok.code).toBe(0);
    const bad = vigil(['configure', 'load', 'update', '-', '--cib', cib], 'primitive x ocf:vigil:Dummy params colour=red\n');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/colour/);
  });

  it('refuses a bad file with a message and exit 1, writing nothing', () => {
    const cib = join(dir, 'b.xml');
    vigil(['configure', 'load', 'update', '-', '--cib', cib], CONFIG);
    const before = readFileSync(cib, 'utf8');
    const file = join(dir, 'bad.crm');
    writeFileSync(file, 'primitive e Dummy op monitor interval=soon\n');
    const r = vigil(['configure', 'load', 'update', file, '--cib', cib]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/interval 'soon' is not a duration/);
    expect(readFileSync(cib, 'utf8')).toBe(before);
    const syntax = vigil(['configure', 'load', 'update', '-', '--cib', cib], 'primitive e Dummy op interval=1s\n');
    expect(syntax.code).toBe(1);
    expect(syntax.err).toMatch(/^vigil: <stdin>:1:22: found "interval=1s", expected an operation name/);
  });

  it('takes -F after the method, as the conformance command line passes it', () => {
    const cib = join(dir, 'c.xml');
    const text = 'property stonith-enabled=false\nprimitive e ocf:heartbeat:NoSuchAgentAtAll\n';
    expect(vigil(['configure', 'load', 'update', '-', '--cib', cib], text).code).toBe(1);
    expect(existsSync(cib)).toBe(false);
    const forced = vigil(['configure', 'load', 'update', '-F', '-', '--cib', cib], text);
    expect(forced.code).toBe(0);
    expect(forced.err).toMatch(/forced: e: ocf:heartbeat:NoSuchAgentAtAll: no such resource agent/);
    expect(vigil(['configure', 'show', 'xml', 'e', '--cib', cib]).out).toBe('<configuration>\n  <primitive id="e" class="ocf" provider="heartbeat" type="NoSuchAgentAtAll"/>\n</configuration>\n');
  });
});
