// Executor benchmark (not a test): N Dummy resources (ocf:heartbeat:Dummy) with recurring
// monitors, for a while — the executor's own CPU and RSS, its agents' CPU, how late monitors
// ran, and the per-operation overhead of going through the executor against running the agent
// by hand with the same environment.
// Usage: npm run build && npm run bench:executor   (BENCH_RESOURCES=500 BENCH_SECONDS=60 BENCH_INTERVAL_MS=10000)
//        npm run bench:executor -- attributes      (attribute update latency on a 3-node vigild cluster)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[2] === 'attributes') {
  await attributeLatency();
  process.exit(0);
}

/**
 * `npm run bench:executor -- attributes`: how long an attribute update takes from the agent's
 * helper to committed on every node of a 3-node loopback vigild cluster (BENCH_ATTR_RUNS=50).
 * The API call resolves only once the DC has the acknowledgements of all members.
 */
async function attributeLatency() {
  const { startCluster } = await import(join(root, 'test/daemon/cluster.mjs'));
  const { runHelperLive } = await import(join(root, 'dist/executor/helpers/main.js'));
  const runs = Number(process.env.BENCH_ATTR_RUNS ?? 50);
  const cdir = mkdtempSync(join(tmpdir(), 'vigil-bench-attr-'));
  const cluster = await startCluster({ dir: cdir, nodes: 3, budget: '1s' });
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
    return `p50 ${q(0.5)} ms  p95 ${q(0.95)} ms  max ${s[s.length - 1].toFixed(1)} ms  (${s.length} runs)`;
  };
  const time = async (n, fn) => {
    const out = [];
    for (let k = 0; k < n; k++) {
      const t0 = performance.now();
      await fn(k);
      out.push(performance.now() - t0);
    }
    return out;
  };
  try {
    for (let i = 0; i < 3; i++) await cluster.waitFor(i, (st) => st.view.members.length === 3 && st.view.dc !== null, 20_000, 'a 3-node view');
    const dcIndex = cluster.names.indexOf((await cluster.status(0)).view.dc);
    const member = (dcIndex + 1) % 3;
    const env = { ...process.env, VIGIL_SOCKET: cluster.node(member).socket, OCF_RESOURCE_INSTANCE: 'db:0' };
    delete env.VIGIL_STATE_DIR;
    delete env.CIB_file;
    const quiet = { out: () => undefined, err: (t) => process.stderr.write(t) };
    const api = (i) => (k) => cluster.request(i, { op: 'attr.update', name: 'bench', value: String(k) });
    console.log(`attribute update, committed on all 3 nodes (DC ${cluster.names[dcIndex]}):`);
    console.log(`  attr.update API on the DC        ${stats(await time(runs, api(dcIndex)))}`);
    console.log(`  attr.update API on a member      ${stats(await time(runs, api(member)))}`);
    console.log(`  crm_master in-process (built-in) ${stats(await time(runs, (k) => runHelperLive('crm_master', ['-l', 'reboot', '-v', String(k)], env, quiet)))}`);
    const shim = join(root, 'libexec', 'crm_master');
    const shimRuns = Math.max(5, Math.floor(runs / 5));
    console.log(
      `  crm_master shim (agent's PATH)    ${stats(await time(shimRuns, (k) => new Promise((res, rej) => spawn(shim, ['-l', 'reboot', '-v', String(1000 + k)], { env, stdio: 'ignore' }).on('exit', (c) => (c === 0 ? res() : rej(new Error(`crm_master exited ${c}`)))))))}`,
    );
    const want = String(1000 + shimRuns - 1);
    const seen = await Promise.all([0, 1, 2].map(async (i) => (await cluster.request(i, { op: 'attr.query', name: 'master-db', node: cluster.names[member] })).values[0]?.value));
    console.log(`  last value on every node right after the shim returned: ${seen.join(', ')} (${seen.every((v) => v === want) ? 'all committed' : `NOT all ${want}`})`);
  } finally {
    await cluster.stop();
    rmSync(cdir, { recursive: true, force: true });
  }
}
const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 10_000);
const OVERHEAD_RUNS = Number(process.env.BENCH_OVERHEAD_RUNS ?? 100);
const AGENT = '/usr/lib/ocf/resource.d/heartbeat/Dummy';

if (!existsSync(AGENT)) {
  console.error(`bench:executor needs ${AGENT} (Debian package resource-agents)`);
  process.exit(1);
}
const { Executor } = await import(join(root, 'dist/executor/index.js'));

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-exec-'));
const executor = new Executor({ nodeName: 'bench', rscTmp: dir, attributes: { kind: 'file', stateDir: join(dir, 'state') } });
const agent = { agentClass: 'ocf', provider: 'heartbeat', type: 'Dummy' };
const request = (i, task, intervalMs = 0) => ({
  resourceId: `d${i}`,
  agent,
  params: { state: join(dir, `d${i}.state`) },
  meta: intervalMs ? { 'start-delay': String(Math.floor((i * INTERVAL_MS) / RESOURCES)) } : {},
  task,
  intervalMs,
  timeoutMs: 20_000,
});

/** CPU seconds of this process, and of its reaped children (the agents), from /proc/self/stat. */
function cpu() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const tick = 100;
  return { self: (Number(fields[11]) + Number(fields[12])) / tick, children: (Number(fields[13]) + Number(fields[14])) / tick };
}

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

// 1. Per-operation overhead: the same monitor through the executor and by hand, interleaved so
// that load from elsewhere on the machine hits both alike.
await executor.run(request(0, 'start'));
const env = executor.environmentFor(request(0, 'monitor'));
const viaExecutor = [];
const byHand = [];
for (let i = 0; i < OVERHEAD_RUNS; i++) {
  let t0 = performance.now();
  const r = await executor.run(request(0, 'monitor'));
  viaExecutor.push(performance.now() - t0);
  if (r.rc !== 0) throw new Error(`monitor rc ${r.rc}: ${r.stderr}`);
  t0 = performance.now();
  const code = await new Promise((res) => spawn(AGENT, ['monitor'], { env, stdio: 'ignore' }).on('exit', res));
  byHand.push(performance.now() - t0);
  if (code !== 0) throw new Error(`by hand: monitor exit ${code}`);
}
await executor.run(request(0, 'stop'));

// 2. N resources with recurring monitors.
const t0 = performance.now();
await Promise.all(Array.from({ length: RESOURCES }, (_, i) => executor.run(request(i, 'start'))));
const startAll = (performance.now() - t0) / 1000;

let ops = 0;
let failures = 0;
const lateness = [];
const lastRun = new Map();
const cpu0 = cpu();
const wall0 = performance.now();
let rssMax = 0;
const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
for (let i = 0; i < RESOURCES; i++) {
  executor.startRecurring(request(i, 'monitor', INTERVAL_MS), (r) => {
    ops += 1;
    if (r.rc !== 0) failures += 1;
    const prev = lastRun.get(r.resourceId);
    // Re-armed after each run: the next should start one interval after the previous ended.
    if (prev !== undefined) lateness.push(r.startedAtMs - prev - INTERVAL_MS);
    lastRun.set(r.resourceId, r.startedAtMs + r.durationMs);
  });
}
await new Promise((r) => setTimeout(r, SECONDS * 1000));
clearInterval(sampler);
const wall = (performance.now() - wall0) / 1000;
const cpu1 = cpu();
await executor.shutdown();
await Promise.all(Array.from({ length: RESOURCES }, (_, i) => executor.run(request(i, 'stop'))));
rmSync(dir, { recursive: true, force: true });

const ms = (x) => `${x.toFixed(1)} ms`;
const line = (label, value) => console.log(`  ${label.padEnd(34)}${value}`);
console.log(`executor bench: ${RESOURCES} × ocf:heartbeat:Dummy, monitors every ${INTERVAL_MS / 1000}s, ${wall.toFixed(0)}s`);
line(`start of all ${RESOURCES} resources`, `${startAll.toFixed(1)} s`);
line('monitors run', `${ops} (${(ops / wall).toFixed(1)}/s, expected ~${((RESOURCES * 1000) / INTERVAL_MS).toFixed(1)}/s), ${failures} failed`);
line('executor CPU', `${(cpu1.self - cpu0.self).toFixed(2)} s = ${((100 * (cpu1.self - cpu0.self)) / wall).toFixed(1)}% of one core`);
line("agents' CPU (children)", `${(cpu1.children - cpu0.children).toFixed(2)} s = ${((100 * (cpu1.children - cpu0.children)) / wall).toFixed(1)}% of one core`);
line('executor RSS (max)', `${(rssMax / 1048576).toFixed(0)} MiB`);
if (lateness.length) line('monitor lateness', `p50 ${ms(pct(lateness, 50))}, p99 ${ms(pct(lateness, 99))}`);
line('one monitor, via executor', `mean ${ms(mean(viaExecutor))}, p50 ${ms(pct(viaExecutor, 50))}`);
line('one monitor, by hand', `mean ${ms(mean(byHand))}, p50 ${ms(pct(byHand, 50))}`);
line('executor overhead per operation', `${ms(mean(viaExecutor) - mean(byHand))} (mean), ${ms(pct(viaExecutor, 50) - pct(byHand, 50))} (p50)`);
