// CIB model benchmark (not a test): times reading the 17 MiB scale CIB into the model and writing
// it back, each phase in its own child process so its peak RSS is its own.
// Usage: npm run build && npm run bench:cib [-- FILE]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? resolve(root, '../shared/conformance/scale/cib-64x10000.xml');
const ROUNDS = 3;
const TARGETS = { read: { seconds: 1.5, mib: 600 }, write: { seconds: 1.0 } };

async function phase(name, path) {
  const { parseXml, serializeXml } = await import(join(root, 'dist/cib/xml.js'));
  const { readCib } = await import(join(root, 'dist/cib/model/read.js'));
  const { writeCib } = await import(join(root, 'dist/cib/model/write.js'));
  const times = [];
  const cpu = [];
  let model;
  const cpuNow = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  };
  for (let i = 0; i < ROUNDS; i++) {
    if (name === 'read') {
      model = undefined;
      const [t0, c0] = [process.hrtime.bigint(), cpuNow()];
      model = readCib(parseXml(readFileSync(path, 'utf8'), path));
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      cpu.push(cpuNow() - c0);
    } else {
      model ??= readCib(parseXml(readFileSync(path, 'utf8'), path));
      const [t0, c0] = [process.hrtime.bigint(), cpuNow()];
      const text = serializeXml(writeCib(model));
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      cpu.push(cpuNow() - c0);
      if (text.length === 0) throw new Error('empty output');
    }
  }
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ times, cpu, maxRssMiB }));
}

if (process.env.VIGIL_BENCH_PHASE) {
  await phase(process.env.VIGIL_BENCH_PHASE, file);
} else {
  if (!existsSync(join(root, 'dist/cib/model/read.js'))) {
    console.error('bench:cib: dist/ is missing or stale: run `npm run build` first');
    process.exit(1);
  }
  if (!existsSync(file)) {
    console.error(`bench:cib: ${file} not found`);
    process.exit(1);
  }
  // On a shared machine wall time includes waiting for a core; CPU time (user+system, all of the
  // process's threads) shows the work itself, and the load average shows how shared the machine is.
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine`);
  console.log(`CIB model benchmark: ${file} (${(readFileSync(file).length / 2 ** 20).toFixed(1)} MiB), best of ${ROUNDS}, node ${process.version}`);
  for (const name of ['read', 'write']) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), file], {
      env: { ...process.env, VIGIL_BENCH_PHASE: name },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exit(1);
    }
    const { times, cpu, maxRssMiB } = JSON.parse(child.stdout);
    const best = Math.min(...times);
    const target = TARGETS[name];
    const label = name === 'read' ? 'read  (file -> parseXml -> readCib)' : 'write (writeCib -> serializeXml)   ';
    const rssNote = name === 'write' ? ' (includes the model read first)' : '';
    const ok = best < target.seconds && (target.mib === undefined || maxRssMiB < target.mib);
    console.log(
      `${label}  best ${best.toFixed(3)} s  (all: ${times.map((t) => t.toFixed(3)).join(', ')}; CPU ${cpu.map((t) => t.toFixed(3)).join(', ')})  peak RSS ${maxRssMiB.toFixed(0)} MiB${rssNote}` +
        `  target < ${target.seconds} s${target.mib ? `, < ${target.mib} MiB` : ''}: ${ok ? 'met' : 'MISSED'}`,
    );
  }
}
