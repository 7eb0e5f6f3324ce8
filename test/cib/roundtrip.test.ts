import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCib } from '../../src/cib/model/read.js';
import { writeCib } from '../../src/cib/model/write.js';
import { parseXml, serializeXml } from '../../src/cib/xml.js';
import { corpusFiles, SCALE_DIR, SCHEDULER_CASES } from './corpus.js';

// Lossless means: the written document is the read document, element for element and attribute
// for attribute (in order), and reading it again gives the same model.
function roundTrip(path: string, compareModels: boolean): void {
  const xml = parseXml(readFileSync(path, 'utf8'), path);
  const model = readCib(xml);
  const written = writeCib(model);
  expect(serializeXml(written)).toBe(serializeXml(xml));
  if (compareModels) expect(readCib(written)).toEqual(model);
}

const cases = corpusFiles(SCHEDULER_CASES);
const scale = corpusFiles(SCALE_DIR);

describe.skipIf(cases.length === 0)(`round trip of the scheduler corpus${cases.length === 0 ? ` (skipped: ${SCHEDULER_CASES} absent)` : ''}`, () => {
  it(`writes back all ${cases.length} CIBs unchanged`, () => {
    expect(cases.length).toBe(623);
    const failed: string[] = [];
    for (const path of cases) {
      try {
        roundTrip(path, true);
      } catch (err) {
        failed.push(`${basename(path)}: ${(err as Error).message.slice(0, 300)}`);
      }
    }
    expect(failed).toEqual([]);
  });
});

describe.skipIf(scale.length === 0)(`round trip of the scale CIBs${scale.length === 0 ? ` (skipped: ${SCALE_DIR} absent)` : ''}`, () => {
  for (const path of scale) {
    it(`writes back ${basename(path)} unchanged`, () => roundTrip(path, !path.includes('64x10000')));
  }
});
