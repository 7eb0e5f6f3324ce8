// Executor benchmark (not a test).
// Usage: npm run build && npm run bench:executor
//   default: the per-operation latency of start/monitor/stop for ocf:heartbeat:Dummy, IPaddr2,
//     and the built-in Dummy, Supervisor and VirtualIP (the address agents in a network namespace
//     of their own when run as root; BENCH_OPS_RUNS=20), then N Dummy resources
//     (ocf:heartbeat:Dummy) with recurring monitors for a while — the executor's own CPU and RSS,
//     its agents' CPU, how late monitors ran, and the per-operation overhead of going through the
//     executor against running the agent by hand with the same environment
//     (BENCH_RESOURCES=500 BENCH_SECONDS=60 BENCH_INTERVAL_MS=10000).
//   -- ops          the per-operation latency table only
//   -- recovery     a process kill on a 3-node loopback cluster (no root), step by step from the
//                   daemons' debug logs, with the resource on the DC and on another node (BENCH_RECOVERY_RUNS=5)
//   -- attributes   attribute update latency on a 3-node vigild cluster
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === 'attributes') {
  await attributeLatency();
  process.exit(0);
}
if (process.argv[2] === 'recovery') {
  await recoveryTimeline();
  process.exit(0);
}
if (process.argv[2] === 'ops-in-netns') {
  await opLatency(true);
  process.exit(0);
}
await opsTable();
if (process.argv[2] === 'ops') process.exit(0);

/**
 * The per-operation table, with the address agents when this process may make a network
 * namespace: then the table is made by a copy of this script inside a fresh one (`unshare -n`,
 * gone with the process, so nothing is left behind even on a crash).
 */
async function opsTable() {
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!canUnshare) {
    console.log('(not root, or unshare -n fails: IPaddr2 and VirtualIP left out)');
    await opLatency(false);
    return;
  }
  const r = spawnSync('unshare', ['-n', process.execPath, fileURLToPath(import.meta.url), 'ops-in-netns'], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new Error(`the per-operation bench in a network namespace failed (exit ${r.status})`);
}

/**
 * start, monitor, stop of each agent, BENCH_OPS_RUNS times, through the executor; for the shell
 * agents also by hand (the agent spawned with the same environment), so what vigil adds shows.
 */
async function opLatency(inNetns) {
  const { Executor } = await import(join(root, 'dist/executor/index.js'));
  const runs = Number(process.env.BENCH_OPS_RUNS ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ops-'));
  const executor = new Executor({ nodeName: 'bench', rscTmp: join(dir, 'rsc'), attributes: { kind: 'file', stateDir: join(dir, 'state') } });
  if (inNetns) {
    // 192.0.2.0/24 (TEST-NET-1) on a veth pair: neither the address nor its ARPs leave the namespace.
    for (const args of [['link', 'set', 'lo', 'up'], ['link', 'add', 'vig0', 'type', 'veth', 'peer', 'name', 'vig1'], ['link', 'set', 'vig0', 'up'], ['link', 'set', 'vig1', 'up'], ['addr', 'add', '192.0.2.1/24', 'dev', 'vig0']]) {
      execFileSync('ip', args);
    }
  }
  const ocfAgent = (provider, type) => ({ agentClass: 'ocf', provider, type });
  const cases = [
    ['ocf:heartbeat:Dummy', ocfAgent('heartbeat', 'Dummy'), { state: join(dir, 'hb-dummy.state') }],
    ...(inNetns ? [['ocf:heartbeat:IPaddr2', ocfAgent('heartbeat', 'IPaddr2'), { ip: '192.0.2.10', cidr_netmask: '24', nic: 'vig0' }]] : []),
    ['ocf:vigil:Dummy', ocfAgent('vigil', 'Dummy'), {}],
    ['ocf:vigil:Supervisor (sleep)', ocfAgent('vigil', 'Supervisor'), { binfile: '/bin/sleep', cmdline_options: '1000' }],
    ...(inNetns ? [['ocf:vigil:VirtualIP', ocfAgent('vigil', 'VirtualIP'), { ip: '192.0.2.11', cidr_netmask: '24', nic: 'vig0' }]] : []),
  ];
  const tasks = ['start', 'monitor', 'stop'];
  const fmt = (xs) => (xs.length ? `${p50(xs).toFixed(1).padStart(6)} ${Math.max(...xs).toFixed(1).padStart(6)}` : '     -      -');
  console.log(`per-operation latency, ms (p50 max of ${runs}; "by hand" = the agent spawned directly with the same environment)`);
  console.log(`  ${'agent'.padEnd(30)}${tasks.map((t) => t.padStart(14)).join('')}   ${'by hand: start monitor stop (p50)'}`);
  try {
    for (const [name, agent, params] of cases) {
      const via = { start: [], monitor: [], stop: [] };
      const hand = { start: [], monitor: [], stop: [] };
      const shell = agent.provider !== 'vigil';
      const path = shell ? `/usr/lib/ocf/resource.d/${agent.provider}/${agent.type}` : '';
      if (shell && !existsSync(path)) {
        console.log(`  ${name.padEnd(30)}(absent: Debian package resource-agents)`);
        continue;
      }
      for (let i = 0; i < runs; i++) {
        for (const task of tasks) {
          const request = { resourceId: 'r', agent, params, meta: {}, task, intervalMs: 0, timeoutMs: 20_000 };
          const t0 = performance.now();
          const r = await executor.run(request);
          via[task].push(performance.now() - t0);
          if (r.rc !== 0) throw new Error(`${name} ${task}: rc ${r.rc} ${r.exitReason} ${r.stderr}`);
        }
        if (!shell) continue;
        for (const task of tasks) {
          const env = executor.environmentFor({ resourceId: 'r', agent, params, meta: {}, task, intervalMs: 0, timeoutMs: 20_000 });
          const t0 = performance.now();
          const code = await new Promise((res) => spawn(path, [task], { env, stdio: 'ignore' }).on('exit', res));
          hand[task].push(performance.now() - t0);
          if (code !== 0) throw new Error(`${name} ${task} by hand: exit ${code}`);
        }
      }
      const byHand = shell ? tasks.map((t) => p50(hand[t]).toFixed(1)).join(' / ') : '(in-process)';
      console.log(`  ${name.padEnd(30)}${tasks.map((t) => fmt(via[t]).padStart(14)).join('')}   ${byHand}`);
    }
  } finally {
    await executor.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `-- recovery`: kill -9 of a supervised web server on a 3-node loopback cluster (1 s monitor),
 * then the time from the kill to each step, read from the nodes' debug logs, and to the first
 * HTTP answer (polled every 5 ms). Once with the resource on the DC, once on another node
 * (its result and the DC's actions then cross the network).
 */
async function recoveryTimeline() {
  const { LocalCluster } = await import(join(root, 'dist/demo/local-cluster.js'));
  const runs = Number(process.env.BENCH_RECOVERY_RUNS ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-recovery-'));
  const cluster = new LocalCluster({ dir, nodes: 3, spawnOn: (_i, command, args, options) => spawn(command, [...args, '--log-level', 'debug'], options) });
  const port = cluster.port + 2;
  const web = join(dir, 'web.mjs');
  // It answers with the node it runs on (the executor names the node in the agent's environment, which the program inherits).
  writeFileSync(web, "import { createServer } from 'node:http';\ncreateServer((_q, s) => s.end(process.env.VIGIL_NODE_NAME)).listen(Number(process.argv[2]), '127.0.0.1');\n");
  const resources =
    `<resources><primitive id="web" class="ocf" provider="vigil" type="Supervisor"><instance_attributes id="web-p"><nvpair id="web-b" name="binfile" value="${process.execPath}"/>` +
    `<nvpair id="web-a" name="cmdline_options" value="${web} ${port}"/></instance_attributes><operations><op id="web-m" name="monitor" interval="1s" timeout="10s"/></operations></primitive></resources>`;
  let where = '';
  const answers = async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(300) });
      return res.ok && (await res.text()) === where;
    } catch {
      return false;
    }
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const webPid = () => {
    const r = spawnSync('pgrep', ['-f', `${web} ${port}`], { encoding: 'utf8' });
    const pids = r.stdout.trim().split('\n').filter(Boolean).map(Number);
    if (pids.length !== 1) throw new Error(`expected one web server process, found ${pids.length} (logs in ${dir})`);
    return pids[0];
  };
  // The first line after the kill that matches, per step; steps missing from the logs show as -.
  const STEPS = [
    ['process exit noticed', /: its process \d+ exited/],
    ['failed monitor result', /web monitor_\d+: rc=[1-9]/],
    ['DC: failure recorded', /web_monitor_\d+ on \S+ failed/],
    ['DC: plan made', /^plan \d+: .*web/],
    ['stop running', /^web stop: running/],
    ['stop done', /^web stop: rc=/],
    ['start running', /^web start: running/],
    ['start done', /^web start: rc=/],
  ];
  const logLines = () => {
    const lines = [];
    for (const n of cluster.nodes) {
      let text = '';
      try {
        text = readFileSync(join(n.logDir, 'vigild.log'), 'utf8');
      } catch {
        continue;
      }
      for (const l of text.split('\n')) {
        try {
          const j = JSON.parse(l);
          lines.push({ t: typeof j.ts === 'number' ? j.ts : Date.parse(j.ts), msg: j.msg });
        } catch {
          // Not a JSON log line.
        }
      }
    }
    return lines.sort((a, b) => a.t - b.t);
  };
  let ok = false;
  try {
    cluster.startAll();
    await cluster.waitForMembers(3, 30_000);
    await cluster.replace(0, 'crm_config', '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>');
    console.log(`process kill → recovery on a 3-node loopback cluster, monitor 1 s, ${runs} runs per placement (ms after the kill, median [min–max])`);
    const placements = [['on the DC (node1)', 'node1'], ['on a member (node2)', 'node2']].filter(([, node]) => !process.env.BENCH_RECOVERY_ON || process.env.BENCH_RECOVERY_ON === node);
    for (const [label, node] of placements) {
      where = node;
      await cluster.replace(0, 'constraints', `<constraints><rsc_location id="web-on" rsc="web" node="${node}" score="INFINITY"/></constraints>`);
      if (placements[0][1] === node) await cluster.replace(0, 'resources', resources);
      for (let k = 0; k < 300 && !(await answers()); k++) await sleep(100);
      if (!(await answers())) throw new Error(`the web server never answered (logs in ${dir})`);
      const marks = [];
      for (let run = 0; run < runs; run++) {
        // A random phase against the 1 s monitor, as a real crash would have.
        await sleep(1500 + Math.random() * 1000);
        const pid = webPid();
        const t0 = Date.now();
        process.kill(pid, 'SIGKILL');
        while (await answers()) await sleep(5);
        let t1;
        for (let k = 0; k < 2000 && t1 === undefined; k++) if (await answers()) t1 = Date.now();
        else await sleep(5);
        if (t1 === undefined) throw new Error(`no answer after the kill (logs in ${dir})`);
        marks.push({ t0, t1 });
      }
      await sleep(300);
      const lines = logLines();
      const at = STEPS.map(() => []);
      const answered = [];
      for (const { t0, t1 } of marks) {
        STEPS.forEach(([, re], i) => {
          const hit = lines.find((l) => l.t >= t0 && l.t <= t1 + 2000 && re.test(l.msg));
          if (hit) at[i].push(hit.t - t0);
        });
        answered.push(t1 - t0);
      }
      const show = (xs) => (xs.length ? `${String(p50(xs)).padStart(5)}  [${Math.min(...xs)}–${Math.max(...xs)}]` : '    -');
      console.log(`  resource ${label}:`);
      STEPS.forEach(([name], i) => console.log(`    ${name.padEnd(26)}${show(at[i])}`));
      console.log(`    ${'HTTP answers again'.padEnd(26)}${show(answered)}`);
    }
    ok = true;
  } finally {
    await cluster.stop();
    // The logs stay for a look when something went wrong.
    if (ok) rmSync(dir, { recursive: true, force: true });
  }
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
