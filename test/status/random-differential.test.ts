import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { clusterStatus, renderCrmMon, renderSimulateStatus } from '../../src/status/index.js';
import { prng, randomCib } from './random-cib.js';

// Random CIBs beyond the corpus, each rendered by vigil and by Debian's crm_simulate and
// crm_mon (package pacemaker-cli-utils; the test skips without them). Seeds are fixed, so a
// failure names a CIB that can be regenerated.
function installed(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const available = installed('crm_simulate') && installed('crm_mon');
if (!available) console.warn('random differential test skipped: needs crm_simulate and crm_mon (pacemaker-cli-utils)');

const dir = mkdtempSync(join(tmpdir(), 'vigil-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], env: Record<string, string> = {}): string {
  try {
    return execFileSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

const trimEnd = (t: string): string => t.replace(/\n+$/, '');
const withoutClock = (t: string): string =>
  trimEnd(
    t
      .split('\n')
      .filter((l) => !l.includes('Last updated:'))
      .join('\n'),
  );

describe.skipIf(!available)('status of random CIBs against Pacemaker 2.1.5', () => {
  it('renders crm_simulate status and crm_mon -1 -r exactly as Pacemaker does', () => {
    const rnd = prng(20261122);
    const differing: string[] = [];
    for (let i = 0; i < 60; i++) {
      const xml = randomCib(rnd);
      const file = join(dir, `random-${i}.xml`);
      writeFileSync(file, xml);
      const cib = parseXml(xml, file);
      const now = Date.now();
      const simulate = run('crm_simulate', ['-x', file]);
      if (simulate.includes('Current cluster status') && trimEnd(simulate) !== trimEnd(renderSimulateStatus(cib, { clock: now }))) {
        differing.push(`${file} (crm_simulate)`);
      }
      if (i % 2 === 0) {
        const mon = run('crm_mon', ['-1', '-r'], { CIB_file: file });
        const mine = renderCrmMon(clusterStatus(cib, { now }), { colour: false });
        if (mon.includes('Cluster Summary') && withoutClock(mon) !== withoutClock(mine)) differing.push(`${file} (crm_mon)`);
      }
    }
    expect(differing).toEqual([]);
  }, 120_000);
});
