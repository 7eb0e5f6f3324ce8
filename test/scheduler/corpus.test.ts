import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { parseIsoDate } from '../../src/cib/dates.js';
import { schedule } from '../../src/scheduler/index.js';

// The Pacemaker 2.1.5 regression corpus lives beside the repository; the primary score (the
// Transition Summary) must never fall below what the scheduler has reached.
const CORPUS = resolve(__dirname, '../../../shared/conformance/scheduler');
const MIN_PRIMARY = 587;

function summarySection(text: string): string[] | undefined {
  const lines = text.split('\n');
  const start = lines.indexOf('Transition Summary:');
  if (start < 0) return undefined;
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || /^\S.*:$/.test(line)) break;
    out.push(line.trim().replace(/\s+/g, ' '));
  }
  return out;
}

describe.skipIf(!existsSync(join(CORPUS, 'manifest.tsv')))('scheduler conformance corpus (../shared/conformance/scheduler)', () => {
  it(`matches crm_simulate's Transition Summary in at least ${MIN_PRIMARY} cases`, () => {
    const rows = readFileSync(join(CORPUS, 'manifest.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    let passed = 0;
    for (const [name, , , , args] of rows) {
      const cib = parseXml(readFileSync(join(CORPUS, 'cases', `${name}.xml`), 'utf8'));
      const expected = summarySection(readFileSync(join(CORPUS, 'cases', `${name}.summary`), 'utf8'));
      let now = 1_700_000_000;
      if (args) now = parseIsoDate(args.replace(/^-t\s+/, '')) ?? now;
      else if (cib.attrs['execution-date']) now = Number(cib.attrs['execution-date']);
      const got = schedule(cib, { now }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
      if (JSON.stringify(got) === JSON.stringify(expected)) passed++;
    }
    expect(passed).toBeGreaterThanOrEqual(MIN_PRIMARY);
  });
});

if (!existsSync(join(CORPUS, 'manifest.tsv'))) console.warn(`scheduler corpus not found at ${CORPUS}: corpus test skipped`);
