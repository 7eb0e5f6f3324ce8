import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared conformance corpora, found beside the repository; tests skip with a message when absent. */
export const SCHEDULER_CASES = resolve(__dirname, '../../../shared/conformance/scheduler/cases');
export const SCALE_DIR = resolve(__dirname, '../../../shared/conformance/scale');

export function corpusFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => join(dir, f));
}
