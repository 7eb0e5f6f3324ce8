#!/usr/bin/env node
// Scheduler benchmark: vigil simulate vs Debian's crm_simulate (when installed) on the scale
// CIBs, in the same run. Prints wall time, peak RSS and the ratio for each CIB and mode.
//   npm run bench:scheduler [-- --full]   (--full also runs crm_simulate -S on cib-32x2000: ~3 min)
// The scale CIBs are read from ../shared/conformance/scale beside the checkout, or from
// VIGIL_SCALE_DIR (a checkout elsewhere, such as a git worktree).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scaleDir = resolve(process.env.VIGIL_SCALE_DIR ?? join(root, '../shared/conformance/scale'));
const full = process.argv.includes('--full');
const vigil = join(root, 'bin/vigil');
const haveTime = existsSync('/usr/bin/time');
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const crmSimulate = which('crm_simulate');

if (!existsSync(scaleDir)) {
  console.error(`bench: no scale CIBs at ${scaleDir} (set VIGIL_SCALE_DIR to where they are)`);
  process.exit(1);
}
if (!existsSync(join(root, 'dist/cli/main.js'))) {
  console.error('bench: run `npm run build` first');
  process.exit(1);
}

/** Runs a command, returns wall seconds and peak RSS in MiB (from /usr/bin/time when available). */
function measure(argv, timeoutS) {
  const cmd = haveTime ? ['/usr/bin/time', '-f', '%M', ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: timeoutS * 1000, maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error || r.signal) return { wall, rss: NaN, failed: r.signal ? `killed (${r.signal}) after ${timeoutS} s` : String(r.error) };
  const lines = (r.stderr ?? '').trim().split('\n');
  const kb = haveTime ? Number(lines[lines.length - 1]) : NaN;
  return { wall, rss: kb / 1024, failed: r.status === 0 ? undefined : `exit ${r.status}` };
}

const fmt = (m) => (m.failed ? m.failed : `${m.wall.toFixed(2)} s / ${Number.isNaN(m.rss) ? '?' : m.rss.toFixed(0)} MiB`);
const cibs = readdirSync(scaleDir).filter((f) => f.endsWith('.xml')).sort((a, b) => a.length - b.length || a.localeCompare(b));
console.log(`crm_simulate: ${crmSimulate || 'not installed (only vigil is measured)'}`);
console.log('cib                 mode   vigil                  crm_simulate           time ratio (crm/vigil)');
for (const cib of cibs) {
  const path = join(scaleDir, cib);
  // -R -Q leaves out the status listing, so it times the scheduler alone.
  for (const mode of ['-R', '-R -Q', '-S']) {
    const big = cib.includes('64x10000');
    if (mode === '-S' && big) continue; // crm_simulate cannot finish it; vigil's -R covers the size
    if (mode === '-R -Q' && !big) continue;
    const v = measure([vigil, 'simulate', '-x', path, ...mode.split(' ')], 600);
    let c = { wall: NaN, rss: NaN, failed: 'skipped' };
    const slowPeer = mode === '-S' && cib.includes('32x2000') && !full;
    if (crmSimulate && !slowPeer) c = measure([crmSimulate, '-x', path, ...mode.split(' ')], 600);
    const ratio = !c.failed && !v.failed ? `${(c.wall / v.wall).toFixed(1)}x` : '-';
    console.log(`${cib.padEnd(20)}${mode.padEnd(7)}${fmt(v).padEnd(23)}${fmt(c).padEnd(23)}${ratio}`);
  }
}
