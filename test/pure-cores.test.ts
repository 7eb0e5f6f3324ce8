import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The pure cores take inputs and return outputs: no I/O, no clock, no randomness of their own,
// so that a seeded simulation can drive a whole cluster. Their I/O shells live in an io/ folder.
const PURE_CORES = ['cib', 'crm', 'scheduler', 'membership', 'attributes', 'status'];
const FORBIDDEN = [
  { what: 'a node: import', re: /from\s+['"]node:|require\(['"]node:|import\(['"]node:/ },
  { what: 'a clock read', re: /\bDate\.now\(|new Date\(\)|performance\.now\(/ },
  { what: 'unseeded randomness', re: /\bMath\.random\(/ },
  { what: 'a timer', re: /\bset(Timeout|Interval|Immediate)\(/ },
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'io') out.push(...sources(path));
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('pure cores', () => {
  for (const core of PURE_CORES) {
    it(`src/${core} does no I/O and reads no clock`, () => {
      const offences: string[] = [];
      for (const file of sources(join('src', core))) {
        const text = readFileSync(file, 'utf8');
        for (const { what, re } of FORBIDDEN) if (re.test(text)) offences.push(`${file}: ${what}`);
      }
      expect(offences).toEqual([]);
    });
  }
});
