// npm run bench:datagram — the CPU cost of one heartbeat datagram, sent and received, through the
// real transport (dist/transport, so build first). Not a test: it prints figures.
//
// Two UdpTransport endpoints on loopback (127.0.0.1 and 127.0.0.2, the same port, as two nodes of
// a cluster) play ping-pong with one datagram in flight: each receipt is its own event-loop
// wake-up, as in an idle daemon, where the heartbeats of the peers arrive one at a time. Each
// datagram carries a heartbeat-sized membership message that is JSON-encoded before the send
// and JSON-parsed after the receipt, as the daemon's apply/onDatagram do.
//
//   cpu:   µs of process CPU (user + system, process.cpuUsage) per datagram sent + received, after
//          a warm-up, over a few repetitions; it varies with the machine's load (caches, CPU
//          frequency, other processes' wake-ups).
//   instr: with --instr, instructions per datagram under valgrind (callgrind), a figure the load
//          does not move: the difference between two runs of different lengths, divided by the
//          difference in datagrams, so start-up, warm-up and shutdown cancel out. Slow (minutes).
//
// Options: --rounds N (ping-pong round trips per repetition; 2 datagrams each), --reps N,
// --warm N (round trips before measuring), --encrypt (AES-GCM on top of the MAC), --instr,
// --dist DIR (another build to measure, e.g. a copy of main's dist/ for a before/after).
// The last line is one JSON object with the figures.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const flag = (name) => args.includes(`--${name}`);
const ROUNDS = opt('rounds', 5000);
const REPS = opt('reps', 5);
const WARM = opt('warm', flag('instr') ? 2000 : 3000);
const ENCRYPT = flag('encrypt');
const DIST = resolve(args.includes('--dist') ? args[args.indexOf('--dist') + 1] : resolve(root, 'dist'));
const log = (msg) => process.stdout.write(msg + '\n');

async function pingPong() {
  const { UdpTransport, deriveKeys } = await import(resolve(DIST, 'transport/index.js'));
  const keys = deriveKeys(Buffer.from('bench-datagram-cluster-key-0123456789'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const heartbeat = (inc) => ({ t: 'hb', inc, vid: 1_732_000_000_017, vco: 1, vm: [1, 2, 3], heard: [2, 3], st: true });
  let remaining = 0;
  let done = () => undefined;
  const endpoint = (self, address, peer, peerAddress, onPayload) =>
    new UdpTransport({
      self,
      incarnation: BigInt(Date.now()),
      keys,
      encrypt: ENCRYPT,
      knownNodes: new Set(['node1', 'node2']),
      links: [{ mode: 'unicast', bindAddress: address, port, peers: [{ node: peer, address: peerAddress }] }],
      log: (level, message) => process.stderr.write(`${self} ${level}: ${message}\n`),
      now: Date.now,
      onMessage: (_from, _link, payload) => onPayload(JSON.parse(payload.toString('utf8'))),
    });
  const send = (t, to, msg) => t.sendTo(to, Buffer.from(JSON.stringify(msg)));
  const a = endpoint('node1', '127.0.0.1', 'node2', '127.0.0.2', (msg) => {
    if (--remaining > 0) send(a, 'node2', heartbeat(msg.inc + 1));
    else done();
  });
  const b = endpoint('node2', '127.0.0.2', 'node1', '127.0.0.1', (msg) => send(b, 'node1', heartbeat(msg.inc)));
  await a.start();
  await b.start();
  const run = (rounds) =>
    new Promise((resolveRun) => {
      remaining = rounds;
      done = resolveRun;
      send(a, 'node2', heartbeat(0));
    });
  return { a, b, run };
}

if (flag('child')) {
  // One run of a given length, for valgrind to count: no output needed but the count it prints.
  const { a, b, run } = await pingPong();
  await run(WARM);
  await run(opt('count', 1000));
  await a.close();
  await b.close();
} else if (flag('instr')) {
  const lengths = [opt('short', 1000), opt('long', 3000)];
  const counts = lengths.map((n) => {
    const r = spawnSync(
      'valgrind',
      ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, fileURLToPath(import.meta.url), '--child', '--warm', String(WARM), '--count', String(n), '--dist', DIST, ...(ENCRYPT ? ['--encrypt'] : [])],
      { encoding: 'utf8' },
    );
    const m = /Collected\s*:\s*(\d+)/.exec(r.stderr);
    if (r.status !== 0 || m === null) throw new Error(`valgrind run failed (status ${r.status}):\n${r.stderr.slice(-2000)}`);
    log(`callgrind: ${n} round trips, ${Number(m[1]).toLocaleString('en')} instructions`);
    return Number(m[1]);
  });
  const perDatagram = (counts[1] - counts[0]) / (2 * (lengths[1] - lengths[0]));
  log(`instructions per datagram sent+received: ${Math.round(perDatagram).toLocaleString('en')}${ENCRYPT ? ' (encrypted)' : ''}`);
  log(JSON.stringify({ instructionsPerDatagram: Math.round(perDatagram), encrypt: ENCRYPT, lengths, counts }));
} else {
  const { a, b, run } = await pingPong();
  await run(WARM);
  const perDatagram = [];
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    await run(ROUNDS);
    const c = process.cpuUsage(c0);
    perDatagram.push((c.user + c.system) / (2 * ROUNDS));
  }
  await a.close();
  await b.close();
  const sorted = [...perDatagram].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)];
  const fmt = (x) => x.toFixed(1);
  log(`µs CPU per datagram sent+received (${2 * ROUNDS} datagrams per repetition${ENCRYPT ? ', encrypted' : ''}): ${perDatagram.map(fmt).join(' ')}`);
  log(`median ${fmt(median)} µs, min ${fmt(sorted[0])} µs; load average ${loadavg()[0].toFixed(2)}`);
  log(JSON.stringify({ cpuMicrosPerDatagram: { median: Number(fmt(median)), min: Number(fmt(sorted[0])) }, encrypt: ENCRYPT, load1: loadavg()[0] }));
}
