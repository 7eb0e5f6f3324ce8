#!/usr/bin/env node
/**
 * npm run bench:failover — how long vigil takes to bring a service back, measured from a client
 * in its own network namespace, on 2 node namespaces (test/netns) with one vigild each,
 * default timing (vigil's default detection budget), a fence_vigil_netns fence device and an IPaddr2 VIP
 * grouped with a supervised web server:
 *
 *   poweroff      kill -9 of everything in the active node's namespace + its link down
 *   link-cut      the active node's link down only (it is fenced by the other side)
 *   process-kill  kill -9 of the web server process (recovered in place after the monitor)
 *
 * Each fault RUNS times (default 10): fault → first ping reply from the VIP (ping -i 0.02 in the
 * client namespace), or → first HTTP answer (polled every 20 ms) for process-kill. Then RSS and
 * idle CPU per node, and the peers (Pacemaker + Corosync, keepalived) of
 * ../shared/peers/netns-failover when installed (PEERS=0 skips them). Needs root and dist/.
 * VIP_AGENT=VirtualIP uses vigil's built-in VIP agent instead of IPaddr2. With every run, where
 * the time went: each step's time after the fault, from the daemons' debug log.
 * The last line is one JSON object with the figures.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 10);
const MONITOR_S = 1;
const VIP = '10.213.0.100';
// The VIP's agent: Pacemaker's IPaddr2 (as the peers use), or VIP_AGENT=VirtualIP, vigil's built-in
// one (runs inside the executor: no shell, no forked helpers).
const VIP_AGENT = process.env.VIP_AGENT === 'VirtualIP' ? { provider: 'vigil', type: 'VirtualIP' } : { provider: 'heartbeat', type: 'IPaddr2' };
const FENCE_AGENT = join(root, 'src/fencing/agents/fence_vigil_netns');
const say = (line) => process.stdout.write(line + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function skip(why) {
  say(`bench:failover skipped: ${why}`);
  say(JSON.stringify({ skipped: why }));
  process.exit(0);
}

if (!existsSync(join(root, 'dist/demo/local-cluster.js'))) skip('dist/ is missing: run `npm run build` first');
const { netnsAvailable, createNetwork, cleanupLeftovers } = await import(join(root, 'test/netns/netns.mjs'));
const why = netnsAvailable();
if (why !== null) skip(why);
const { LocalCluster } = await import(join(root, 'dist/demo/local-cluster.js'));
const { activeNodes } = await import(join(root, 'dist/controller/admin/edits.js'));

const stats = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return { median: null, min: null, max: null, n: 0 };
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v.at(-1), n: v.length };
};
const fmt = (s) => (s.n === 0 ? 'n/a' : `${s.median.toFixed(3)} / ${s.min.toFixed(3)} / ${s.max.toFixed(3)} s (n=${s.n})`);

cleanupLeftovers();
const net = createNetwork({ nodes: 3 });
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-failover-'));
const cluster = new LocalCluster({
  dir,
  nodes: 2,
  port: 5405,
  // A two-node cluster keeps quorum when one node is lost (votequorum's two_node).
  extraConfig: '[quorum]\ntwo_node = true',
  address: (i) => net.nodes[i].addresses[0],
  // Debug lines time every operation: the breakdown below reads them.
  logLevel: 'debug',
  spawnOn: (i, cmd, args, opts) => net.spawn(i, cmd, args, opts),
});
const CLIENT = 2;
const probes = [];

async function cleanup() {
  for (const p of probes) if (p.exitCode === null) p.kill('SIGKILL');
  await cluster.stop().catch(() => undefined);
  net.destroy();
  if (process.env.KEEP === '1') say(`state kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function where(rsc) {
  for (let i = 0; i < 2; i++) {
    if (!cluster.isRunning(i)) continue;
    try {
      const st = await cluster.daemonStatus(i);
      const members = st.view?.members ?? [];
      const dc = cluster.nodes.findIndex((n) => n.name === st.view?.dc);
      const nodes = activeNodes(await cluster.cib(dc >= 0 && cluster.isRunning(dc) ? dc : i), rsc);
      return nodes.filter((n) => members.includes(n));
    } catch {
      // Not answering right now: try the other node.
    }
  }
  return [];
}

async function waitFor(what, get, pred, ms = 30_000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await get();
      if (pred(last)) return last;
    } catch (err) {
      last = String(err);
    }
    await sleep(100);
  }
  throw new Error(`${what}: not within ${ms} ms (last ${JSON.stringify(last)})`);
}

/** Calls `onLine` with every complete line the stream yields. */
function onLines(stream, onLine) {
  let buf = '';
  stream.on('data', (c) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/** `ping -D -i 0.02` from the client: epoch seconds of every reply. */
function pinger() {
  const replies = [];
  const p = spawn('ip', ['netns', 'exec', net.nodes[CLIENT].ns, 'ping', '-D', '-n', '-i', '0.02', '-W', '1', VIP], { stdio: ['ignore', 'pipe', 'ignore'] });
  probes.push(p);
  onLines(p.stdout, (line) => {
    const m = /^\[(\d+\.\d+)\] \d+ bytes from/.exec(line);
    if (m) replies.push(Number(m[1]));
  });
  return { replies, stop: () => p.kill('SIGKILL') };
}

/**
 * HTTP GET every 20 ms from the client: epoch seconds of every success, and which server process
 * answered (the web server answers with its pid): a restart in place can be faster than any gap
 * the client would notice, so the new process's first answer is what marks the recovery.
 */
function httpProbe(url) {
  const script = `const u=${JSON.stringify(url)};setInterval(async()=>{try{const r=await fetch(u,{signal:AbortSignal.timeout(200)});const b=await r.text();if(r.ok)console.log(Date.now()/1000+' '+b.trim())}catch{}},20);`;
  const oks = [];
  const answers = [];
  const p = spawn('ip', ['netns', 'exec', net.nodes[CLIENT].ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  probes.push(p);
  onLines(p.stdout, (line) => {
    const [t, pid] = line.split(' ').map(Number);
    oks.push(t);
    answers.push({ t, pid });
  });
  return { replies: oks, answers, stop: () => p.kill('SIGKILL') };
}

/** The first answer after t0 (epoch s) from another server process than `pid`: the recovery time, or null. */
function restartedAnswer(answers, t0, pid) {
  const first = answers.find((a) => a.t > t0 && a.pid !== pid);
  return first === undefined ? null : first.t - t0;
}

/** First answer after an outage that began at t0 (epoch s): the recovery time, or null. */
function recovery(replies, t0, gapS = 0.1) {
  const after = replies.filter((t) => t > t0);
  for (let k = 0; k < after.length; k++) {
    const prev = k === 0 ? t0 : after[k - 1];
    if (after[k] - prev > gapS) return after[k] - t0;
  }
  return null;
}

function vipHolders() {
  const out = [];
  for (let i = 0; i < 2; i++) {
    try {
      const addrs = net.exec(i, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']);
      const alive = execFileSync('ip', ['netns', 'pids', net.nodes[i].ns], { encoding: 'utf8' }).trim() !== '';
      if (addrs.includes(`${VIP}/`) && alive) out.push(i);
    } catch {
      // Namespace busy or gone: not a holder.
    }
  }
  return out;
}

function powerOff(i) {
  execFileSync(FENCE_AGENT, [], { input: `action=off\nplug=${net.nodes[i].ns}\n`, timeout: 10_000 });
}

async function powerOn(i) {
  net.heal(i);
  net.exec(i, 'ip', ['addr', 'flush', 'dev', 'eth0']);
  net.exec(i, 'ip', ['addr', 'add', `${net.nodes[i].addresses[0]}/24`, 'dev', 'eth0']);
  rmSync(join(cluster.nodes[i].stateDir, 'rsctmp'), { recursive: true, force: true });
  execFileSync(FENCE_AGENT, [], { input: `action=on\nplug=${net.nodes[i].ns}\n`, timeout: 10_000 });
  cluster.start(i);
  await cluster.waitForMembers(2, 20_000);
  // Settled: the returning node has the status again.
  await waitFor('status on the returning node', async () => activeNodes(await cluster.cib(i), 'web'), (w) => w.length === 1, 20_000);
}

/**
 * Where the time went in one run: when the survivor's (or, for process-kill, the holder's) vigild
 * logged each step, in ms after the fault. The log is JSON lines with epoch-ms timestamps.
 */
const STEPS = {
  node: [
    ['lost', (m, h) => m === `node ${h} lost`],
    ['planned', (m) => /^transition \d+: \d+ action/.test(m)],
    ['fencing', (m, h) => m.startsWith(`fencing ${h}: `)],
    ['fenced', (m, h) => m.startsWith(`${h} was fenced`)],
    ['vip start', (m) => m === 'vip start: running'],
    ['vip up', (m) => m.startsWith('vip start: rc=0')],
    ['httpd up', (m) => m.startsWith('httpd start: rc=0')],
  ],
  process: [
    ['exit seen', (m) => /^httpd: its process \d+ exited/.test(m)],
    ['monitor failed', (m) => /^httpd_monitor_\d+ on \S+ failed/.test(m)],
    ['planned', (m) => /^transition \d+: \d+ action/.test(m)],
    ['httpd stopped', (m) => m.startsWith('httpd stop: rc=')],
    ['httpd up', (m) => m.startsWith('httpd start: rc=0')],
  ],
};
const breakdowns = { poweroff: [], 'link-cut': [], 'process-kill': [] };

function timeline(i, t0Ms, steps, holder) {
  let text = '';
  try {
    text = readFileSync(join(cluster.nodes[i].logDir, 'vigild.log'), 'utf8');
  } catch {
    return {};
  }
  const out = {};
  for (const line of text.split('\n')) {
    let j;
    try {
      j = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof j.ts !== 'number' || j.ts < t0Ms || typeof j.msg !== 'string') continue;
    for (const [name, match] of steps) if (out[name] === undefined && match(j.msg, holder)) out[name] = j.ts - t0Ms;
  }
  return out;
}

const results = { poweroff: [], 'link-cut': [], 'process-kill': [] };
let splitBrainRuns = 0;
let figures = {};
try {
  say(`bench:failover: 2 nodes + client on network namespaces, ${RUNS} runs per fault, monitor ${MONITOR_S}s, default detection budget, VIP by ocf:${VIP_AGENT.provider}:${VIP_AGENT.type}`);
  const web = join(dir, 'web.mjs');
  writeFileSync(web, "import { createServer } from 'node:http';\ncreateServer((_q, r) => r.end(String(process.pid))).listen(8080, '0.0.0.0');\n");
  cluster.startAll();
  await cluster.waitForMembers(2, 20_000);
  const map = cluster.nodes.map((n, i) => `${n.name}:${net.nodes[i].ns}`).join(';');
  const nv = (id, o) => `<instance_attributes id="${id}-ia">${Object.entries(o).map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`).join('')}</instance_attributes>`;
  const mon = (id, s) => `<operations><op id="${id}-mon" name="monitor" interval="${s}" timeout="10s"/></operations>`;
  await cluster.replace(0, 'crm_config', '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>');
  await cluster.replace(0, 'rsc_defaults', '<rsc_defaults><meta_attributes id="rd"><nvpair id="rd1" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>');
  await cluster.replace(
    0,
    'resources',
    `<resources><primitive id="fence" class="stonith" type="fence_vigil_netns">${nv('fence', { pcmk_host_map: map })}${mon('fence', '60s')}</primitive>` +
      `<group id="web"><primitive id="vip" class="ocf" provider="${VIP_AGENT.provider}" type="${VIP_AGENT.type}">${nv('vip', { ip: VIP, cidr_netmask: '24', nic: 'eth0' })}${mon('vip', `${MONITOR_S}s`)}</primitive>` +
      `<primitive id="httpd" class="ocf" provider="vigil" type="Supervisor">${nv('httpd', { binfile: process.execPath, cmdline_options: web })}${mon('httpd', `${MONITOR_S}s`)}</primitive></group></resources>`,
  );
  await waitFor('web running', () => where('httpd'), (w) => w.length === 1, 60_000);

  // Idle figures first, on a settled cluster.
  const IDLE_S = Number(process.env.IDLE_S ?? 20);
  const cpuOf = (pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  await sleep(3000);
  const before = cluster.nodes.map((_, i) => cluster.pids(i).map(cpuOf).reduce((a, b) => a + b, 0));
  await sleep(IDLE_S * 1000);
  const idle = cluster.nodes.map((_, i) => ((cluster.pids(i).map(cpuOf).reduce((a, b) => a + b, 0) - before[i]) * 60) / IDLE_S);
  const rss = cluster.nodes.map((_, i) => cluster.pids(i).map(rssOf).reduce((a, b) => a + b, 0));
  cluster.nodes.forEach((n, i) => say(`  ${n.name}: RSS ${rss[i].toFixed(1)} MiB (vigild), idle CPU ${idle[i].toFixed(3)} CPU-s/min`));

  for (const fault of ['poweroff', 'link-cut', 'process-kill']) {
    for (let run = 0; run < RUNS; run++) {
      const [cibHolder] = await waitFor('web running', () => where('httpd'), (w) => w.length === 1, 60_000);
      // The node to fault is the one the VIP really is on (the CIB can lag behind for a moment).
      const [h] = await waitFor('the VIP on one node', async () => vipHolders(), (v) => v.length === 1, 10_000);
      const holder = cluster.nodes[h].name;
      if (holder !== cibHolder) say(`    (the CIB said ${cibHolder}, the VIP is on ${holder})`);
      const probe = fault === 'process-kill' ? httpProbe(`http://${VIP}:8080/`) : pinger();
      await waitFor('client sees the service', async () => probe.replies.length, (n) => n > 3, 10_000);
      let both = false;
      const watch = setInterval(() => {
        if (fault === 'process-kill' || both) return;
        const holders = vipHolders();
        if (holders.length > 1) {
          both = true;
          say(`    VIP on both nodes ${((Date.now() / 1000 - t0) * 1000).toFixed(0)} ms after the fault`);
        }
      }, 50);
      const t0 = Date.now() / 1000;
      if (fault === 'poweroff') powerOff(h);
      else if (fault === 'link-cut') net.isolate(h);
      let killed = null;
      if (fault === 'process-kill') {
        // Only this namespace's processes: the machine may run other things called node.
        const pid = execFileSync('ip', ['netns', 'pids', net.nodes[h].ns], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .find((p) => {
            try {
              return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(web);
            } catch {
              return false;
            }
          });
        if (pid !== undefined) {
          killed = Number(pid);
          process.kill(killed, 'SIGKILL');
        }
      }
      let took = null;
      const end = Date.now() + 30_000;
      while (took === null && Date.now() < end) {
        await sleep(50);
        took = fault === 'process-kill' ? restartedAnswer(probe.answers, t0, killed) : recovery(probe.replies, t0);
      }
      clearInterval(watch);
      probe.stop();
      if (both) splitBrainRuns += 1;
      results[fault].push(took);
      await sleep(300);
      const steps = fault === 'process-kill' ? timeline(h, t0 * 1000, STEPS.process, holder) : timeline(1 - h, t0 * 1000, STEPS.node, holder);
      breakdowns[fault].push(steps);
      const trace = Object.entries(steps).map(([k, v]) => `${k} ${v} ms`).join(', ');
      say(`  ${fault} run ${run + 1}: ${took === null ? 'no recovery within 30 s' : `${took.toFixed(3)} s`} (${holder} faulted)${trace ? `: ${trace}` : ''}${both ? ' — VIP HELD ON BOTH NODES' : ''}`);
      if (fault !== 'process-kill') {
        await waitFor('the faulted node is down', async () => execFileSync('ip', ['netns', 'pids', net.nodes[h].ns], { encoding: 'utf8' }).trim(), (s) => s === '', 20_000);
        await powerOn(h);
      } else await sleep(1500);
    }
  }
  const po = stats(results.poweroff);
  const lc = stats(results['link-cut']);
  const pk = stats(results['process-kill']);
  say('');
  say('fault → service answering on the client (median / min / max):');
  say(`  node power-off → VIP    ${fmt(po)}`);
  say(`  link cut → VIP          ${fmt(lc)}`);
  say(`  process kill → HTTP     ${fmt(pk)}   (monitor interval ${MONITOR_S} s)`);
  say(`  split-brain runs        ${splitBrainRuns} of ${results.poweroff.length + results['link-cut'].length}`);
  say('');
  say('where the time goes (median ms after the fault, from the daemon log):');
  for (const [fault, list] of Object.entries(breakdowns)) {
    const names = fault === 'process-kill' ? STEPS.process.map(([n]) => n) : STEPS.node.map(([n]) => n);
    say(`  ${fault.padEnd(13)} ${names.map((n) => `${n} ${stats(list.map((b) => b[n])).median ?? '-'}`).join(' · ')}`);
  }
  figures = {
    poweroff_vip_median_s: po.median,
    poweroff_vip_max_s: po.max,
    link_cut_vip_median_s: lc.median,
    process_kill_recover_median_s: pk.median,
    monitor_interval_s: MONITOR_S,
    split_brain_runs: splitBrainRuns,
    rss_mib_max: Math.max(...rss),
    idle_cpu_s_per_min: Math.max(...idle),
    runs: RUNS,
    vip_agent: `ocf:${VIP_AGENT.provider}:${VIP_AGENT.type}`,
  };
} finally {
  await cleanup();
}

const peersDir = resolve(root, '../shared/peers/netns-failover');
const installed = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
if (process.env.PEERS === '0') say('\npeers: skipped (PEERS=0)');
else if (!existsSync(join(peersDir, 'run.sh'))) say(`\npeers: ${peersDir} not found`);
else {
  const stacks = [installed('corosync') && installed('pacemakerd') ? 'pacemaker' : null, installed('keepalived') ? 'keepalived' : null].filter(Boolean);
  if (stacks.length === 0) say('\npeers: not run (apt-get install corosync pacemaker keepalived to compare)');
  for (const stack of stacks) {
    const out = mkdtempSync(join(tmpdir(), `peers-${stack}-`));
    say(`\npeers: ${stack} (../shared/peers/netns-failover/run.sh, REPS=${process.env.PEER_REPS ?? 3})`);
    try {
      execFileSync('bash', [join(peersDir, 'run.sh'), stack], {
        stdio: ['ignore', 'ignore', 'ignore'],
        timeout: 30 * 60_000,
        env: { ...process.env, REPS: process.env.PEER_REPS ?? '3', OUT: out, STEADY_S: process.env.PEER_STEADY_S ?? '20', PCMK_CONFIGS: process.env.PCMK_CONFIGS ?? 'default:1s:nodedeath,resfail,partition' },
      });
      say(execFileSync('python3', [join(peersDir, 'summarize.py'), join(out, 'results.jsonl')], { encoding: 'utf8' }));
    } catch (err) {
      say(`peers: ${stack} failed: ${err.message.split('\n')[0]}`);
    }
  }
}
say(JSON.stringify(figures));
