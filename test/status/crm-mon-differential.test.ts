import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { clusterStatus, renderCrmMon } from '../../src/status/index.js';

// Differential test against Debian's crm_mon (package pacemaker-cli-utils), which reads a CIB
// file through CIB_file and never touches a live cluster. Every third corpus case, with and
// without -r; only "Last updated" (the wall clock) is left out of the comparison.
const CASES = resolve('..', 'shared', 'conformance', 'scheduler', 'cases');

function crmMonInstalled(): boolean {
  try {
    execFileSync('crm_mon', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const available = existsSync(CASES) && crmMonInstalled();
if (!available) console.warn('crm_mon differential test skipped: needs crm_mon (pacemaker-cli-utils) and ../shared/conformance');

function realCrmMon(file: string, args: string[]): string {
  try {
    return execFileSync('crm_mon', ['-1', ...args], {
      env: { ...process.env, CIB_file: file },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    });
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

const comparable = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !l.includes('Last updated:'))
    .join('\n')
    .replace(/\n+$/, '');

describe.skipIf(!available)('renderCrmMon against the real crm_mon', () => {
  it('prints what crm_mon -1 and crm_mon -1 -r print', () => {
    const names = readdirSync(CASES)
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .filter((_, i) => i % 3 === 0);
    const differing: string[] = [];
    for (const name of names) {
      const file = join(CASES, name);
      const view = clusterStatus(parseXml(readFileSync(file, 'utf8'), name), { now: Date.now() });
      for (const showInactive of [true, false]) {
        const real = realCrmMon(file, showInactive ? ['-r'] : []);
        const mine = renderCrmMon(view, { colour: false, showInactive });
        if (comparable(real) !== comparable(mine)) differing.push(`${name}${showInactive ? ' (-r)' : ''}`);
      }
    }
    expect(differing).toEqual([]);
  }, 180_000);
});
