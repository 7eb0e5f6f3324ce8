import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/sim/prng.js';
import { runSeed } from '../../src/sim/scenario.js';

describe('deterministic simulation', () => {
  it('runs 200 seeds of faults with no violation', () => {
    const failing: string[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const r = runSeed(seed);
      if (r.violations.length > 0) failing.push(`seed ${seed}: ${r.violations.map((v) => `[${v.rule}] ${v.detail}`).join('; ')}`);
    }
    expect(failing).toEqual([]);
  });

  it('replays a seed exactly', () => {
    const a = runSeed(4242);
    const b = runSeed(4242);
    expect(b).toEqual(a);
    expect(a.steps).toBeGreaterThan(100);
    // The replay shows each node's views beside its faults and CIB lines.
    expect(a.log.some((l) => /ms: node\d: view \d+ of node\d: \[node\d/.test(l))).toBe(true);
    expect(runSeed(4243).log).not.toEqual(a.log);
  });

  it('draws the same numbers from the same seed, different ones from another', () => {
    const draw = (seed: number): number[] => {
      const r = new Prng(seed);
      return Array.from({ length: 5 }, () => r.u32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    const r = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(3, 5);
      expect(x >= 3 && x <= 5).toBe(true);
    }
  });

  // What `npm run sim -- --seeds N` runs, on the next 50 seeds (needs the build, as CI makes it).
  it.skipIf(!existsSync('dist/sim/main.js'))('npm run sim -- --seeds 50 exits 0 with no violation and counts the CIB changes', () => {
    const out = execFileSync('node', ['dist/sim/main.js', '--seeds', '50', '--from', '201', '--output-as', 'json'], { encoding: 'utf8' });
    const summary = JSON.parse(out) as { cib_changes: { submitted: number; committed: number; refused: number } };
    expect(summary).toMatchObject({ seeds: 50, failing: [], violations: 0 });
    expect(summary.cib_changes.committed).toBeGreaterThan(0);
    expect(summary.cib_changes.refused).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync('dist/sim/main.js'))('refuses an unknown argument with usage exit 64', () => {
    let status = 0;
    try {
      execFileSync('node', ['dist/sim/main.js', '--sedes', '3'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(64);
  });
});
