import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The transition engine, the admin edits and the fencing decision are pure like the other cores
// (a simulation can drive them): their I/O lives in io/ folders.
const FORBIDDEN = [
  { what: 'a node: import', re: /from\s+['"]node:|import\(['"]node:/ },
  { what: 'a clock read', re: /\bDate\.now\(|new Date\(\)|performance\.now\(/ },
  { what: 'unseeded randomness', re: /\bMath\.random\(/ },
  { what: 'a timer', re: /\bset(Timeout|Interval|Immediate)\(/ },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'io' || name === 'agents' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('controller and fencing cores', () => {
  for (const dir of ['src/controller', 'src/fencing']) {
    it(`${dir} does no I/O and reads no clock outside io/`, () => {
      const offences = sources(dir).flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return FORBIDDEN.filter(({ re }) => re.test(text)).map(({ what }) => `${file}: ${what}`);
      });
      expect(offences).toEqual([]);
    });
  }
});
