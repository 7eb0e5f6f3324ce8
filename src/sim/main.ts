import { performance } from 'node:perf_hooks';
import { runSeed, type SeedResult } from './scenario.js';

/**
 * `npm run sim -- --seeds N [--from S] [--seed S] [--verbose]`: runs seeds, prints progress and
 * every failing seed; `--seed S` replays one seed exactly and prints its fault log.
 */
interface Options {
  seeds: number;
  from: number;
  seed: number | null;
  verbose: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { seeds: 100, from: 1, seed: null, verbose: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${arg} needs a whole number, not '${v ?? ''}'`);
      return Number(v);
    };
    if (arg === '--seeds') opts.seeds = value();
    else if (arg === '--from') opts.from = value();
    else if (arg === '--seed') opts.seed = value();
    else if (arg === '--verbose') opts.verbose = true;
    else if (arg === '--output-as' && argv[i + 1] === 'json') {
      opts.json = true;
      i++;
    } else throw new Error(`unknown argument '${arg}' (use --seeds N, --from S, --seed S, --verbose, --output-as json)`);
  }
  return opts;
}

function describe(r: SeedResult, verbose: boolean): string {
  const lines = [`seed ${r.seed}: ${r.violations.length} violation(s); ${r.setup}`];
  for (const v of r.violations) lines.push(`  ${v.atMs} ms (step ${v.step}) [${v.rule}] ${v.detail}`);
  if (verbose) lines.push(...r.log.map((l) => `  | ${l}`));
  return lines.join('\n');
}

function main(): number {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`vigil-sim: ${(err as Error).message}\n`);
    return 64;
  }
  const seeds = opts.seed !== null ? [opts.seed] : Array.from({ length: opts.seeds }, (_, i) => opts.from + i);
  const started = performance.now();
  const failing: SeedResult[] = [];
  let steps = 0;
  let simulatedMs = 0;
  const cib = { submitted: 0, committed: 0, refused: 0, notCommitted: 0, superseded: 0 };
  seeds.forEach((seed, i) => {
    const r = runSeed(seed);
    steps += r.steps;
    simulatedMs += r.simulatedMs;
    for (const k of Object.keys(cib) as (keyof typeof cib)[]) cib[k] += r.cib[k];
    if (r.violations.length > 0) {
      failing.push(r);
      if (!opts.json) process.stdout.write(describe(r, opts.verbose) + `\n  replay: npm run sim -- --seed ${seed} --verbose\n`);
    } else if (opts.verbose && !opts.json) process.stdout.write(describe(r, true) + '\n');
    if (!opts.json && seeds.length >= 100 && (i + 1) % Math.ceil(seeds.length / 10) === 0) {
      process.stdout.write(`… ${i + 1}/${seeds.length} seeds, ${failing.length} failing\n`);
    }
  });
  const wallS = (performance.now() - started) / 1000;
  const summary = {
    seeds: seeds.length,
    failing: failing.map((r) => r.seed),
    violations: failing.reduce((s, r) => s + r.violations.length, 0),
    steps,
    cib_changes: cib,
    simulated_s: Math.round(simulatedMs / 1000),
    wall_s: Math.round(wallS * 10) / 10,
  };
  if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    process.stdout.write(
      `${summary.seeds} seeds, ${summary.violations} violations (${failing.length} failing seeds), ` +
        `${steps} steps, ${summary.simulated_s} s simulated in ${summary.wall_s} s\n` +
        `CIB changes: ${cib.submitted} submitted, ${cib.committed} committed, ${cib.refused} refused, ${cib.notCommitted} not committed; ` +
        `${cib.superseded} committed then replaced at a heal by a partition's newer configuration\n`,
    );
  }
  return failing.length > 0 ? 1 : 0;
}

process.exitCode = main();
