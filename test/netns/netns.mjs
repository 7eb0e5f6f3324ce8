/**
 * test/netns — throw-away network namespaces for tests and benches that need real hosts.
 *
 * What it builds: one "hub" namespace holding a Linux bridge per link (br0, br1, ...), and one
 * namespace per node whose interfaces eth0, eth1, ... are veth pairs plugged into those bridges.
 * Node i (0-based) has address 10.213.<link>.<i+1>/24 on link <link>. Nothing is created in the
 * root namespace, so nothing can collide with the host's or another run's interfaces.
 *
 *   import { netnsAvailable, createNetwork, cleanupLeftovers } from '../netns/netns.mjs';
 *   const why = netnsAvailable(); if (why !== null) skip(why);
 *   cleanupLeftovers();                        // namespaces of earlier runs that crashed
 *   const net = createNetwork({ nodes: 3, links: 2 });
 *   try {
 *     const child = net.spawn(0, 'node', ['server.js']);   // runs inside node 0's namespace
 *     net.setLink(1, 0, false);                 // cut node 1's link 0
 *     net.isolate(2);                           // cut every link of node 2
 *     net.setLoss(5);                           // drop 5% of every node's outgoing UDP (nftables)
 *   } finally {
 *     net.destroy();                            // kills what runs inside, deletes the namespaces
 *   }
 *
 * Names are "vgt<pid>r<random>-hub", "...-n1": a namespace whose creating process is dead is a
 * leftover, and cleanupLeftovers() removes it. Needs root, `ip` (iproute2) and, for setLoss,
 * `nft` (nftables) — netem is not used because many test kernels lack sch_netem.
 * Every command runs synchronously with a timeout, so a wedged `ip` cannot hang a test run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const PREFIX = 'vgt';
const TIMEOUT_MS = 10_000;

function run(cmd, args, { ignoreErrors = false } = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (ignoreErrors) return '';
    const stderr = err.stderr ? String(err.stderr).trim() : '';
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`);
  }
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return null;
}

/** null when namespaces can be made here; otherwise the reason, for a skip message. */
export function netnsAvailable() {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespace tests need root';
  if (which('ip') === null) return "the 'ip' command (iproute2) is not installed";
  const probe = `${PREFIX}${process.pid}probe`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
  } catch (err) {
    return `cannot create a network namespace: ${err.message}`;
  }
  return null;
}

/** null when setLoss() can work. */
export function lossAvailable() {
  return which('nft') === null ? "the 'nft' command (nftables) is not installed" : null;
}

function listNamespaces() {
  return run('ip', ['netns', 'list'], { ignoreErrors: true })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(PREFIX));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function killInside(ns) {
  for (const pid of run('ip', ['netns', 'pids', ns], { ignoreErrors: true }).split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Deletes namespaces left by runs whose process no longer exists (a crashed or killed test). */
export function cleanupLeftovers() {
  const removed = [];
  for (const ns of listNamespaces()) {
    const m = /^vgt(\d+)r/.exec(ns);
    if (m === null || pidAlive(Number(m[1]))) continue;
    killInside(ns);
    run('ip', ['netns', 'del', ns], { ignoreErrors: true });
    removed.push(ns);
  }
  return removed;
}

export function createNetwork({ nodes, links = 1 }) {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 200) throw new Error(`nodes must be 1..200, not ${nodes}`);
  if (!Number.isInteger(links) || links < 1 || links > 8) throw new Error(`links must be 1..8, not ${links}`);
  const prefix = `${PREFIX}${process.pid}r${Math.floor(Math.random() * 1e6)}`;
  const hub = `${prefix}-hub`;
  const made = [];
  const net = {
    prefix,
    hub,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `n${i + 1}`,
      ns: `${prefix}-n${i + 1}`,
      addresses: Array.from({ length: links }, (_, l) => `10.213.${l}.${i + 1}`),
      ifaces: Array.from({ length: links }, (_, l) => `eth${l}`),
    })),
    /** Runs a command inside node i's namespace and returns its stdout. */
    exec(i, cmd, args = []) {
      return run('ip', ['netns', 'exec', net.nodes[i].ns, cmd, ...args]);
    },
    /** Starts a long-running process inside node i's namespace. */
    spawn(i, cmd, args = [], options = {}) {
      return spawn('ip', ['netns', 'exec', net.nodes[i].ns, cmd, ...args], options);
    },
    /** Brings node i's interface on `link` up or down (the cable, as the node sees it). */
    setLink(i, link, up) {
      run('ip', ['-n', net.nodes[i].ns, 'link', 'set', `eth${link}`, up ? 'up' : 'down']);
      // The hub side too, so that frames in flight towards the node are dropped as well.
      run('ip', ['-n', hub, 'link', 'set', `n${i + 1}l${link}`, up ? 'up' : 'down']);
    },
    isolate(i) {
      for (let l = 0; l < links; l++) net.setLink(i, l, false);
    },
    heal(i) {
      for (let l = 0; l < links; l++) net.setLink(i, l, true);
    },
    /** Drops `percent` % of the UDP every node sends (0 removes the rule). */
    setLoss(percent) {
      for (const n of net.nodes) {
        run('ip', ['netns', 'exec', n.ns, 'nft', 'delete', 'table', 'inet', 'vgtloss'], { ignoreErrors: true });
        if (percent <= 0) continue;
        run('ip', ['netns', 'exec', n.ns, 'nft', 'add', 'table', 'inet', 'vgtloss']);
        run('ip', ['netns', 'exec', n.ns, 'nft', 'add', 'chain', 'inet', 'vgtloss', 'out', '{ type filter hook output priority 0; }']);
        run('ip', ['netns', 'exec', n.ns, 'nft', 'add', 'rule', 'inet', 'vgtloss', 'out', 'meta', 'l4proto', 'udp', 'numgen', 'random', 'mod', '100', '<', String(Math.round(percent)), 'drop']);
      }
    },
    /** Kills every process inside the namespaces and deletes them; safe to call twice. */
    destroy() {
      for (const ns of made.slice().reverse()) {
        killInside(ns);
        run('ip', ['netns', 'del', ns], { ignoreErrors: true });
      }
      made.length = 0;
    },
  };
  try {
    run('ip', ['netns', 'add', hub]);
    made.push(hub);
    run('ip', ['-n', hub, 'link', 'set', 'lo', 'up']);
    for (let l = 0; l < links; l++) {
      // Snooping off: the bridge then floods multicast like a plain hub, so a group member
      // hears the group from its first packet, without waiting for IGMP.
      run('ip', ['-n', hub, 'link', 'add', `br${l}`, 'type', 'bridge', 'mcast_snooping', '0']);
      run('ip', ['-n', hub, 'link', 'set', `br${l}`, 'up']);
    }
    net.nodes.forEach((n, i) => {
      run('ip', ['netns', 'add', n.ns]);
      made.push(n.ns);
      run('ip', ['-n', n.ns, 'link', 'set', 'lo', 'up']);
      for (let l = 0; l < links; l++) {
        const hubSide = `n${i + 1}l${l}`;
        run('ip', ['link', 'add', `eth${l}`, 'netns', n.ns, 'type', 'veth', 'peer', 'name', hubSide, 'netns', hub]);
        run('ip', ['-n', hub, 'link', 'set', hubSide, 'master', `br${l}`]);
        run('ip', ['-n', hub, 'link', 'set', hubSide, 'up']);
        run('ip', ['-n', n.ns, 'addr', 'add', `${n.addresses[l]}/24`, 'dev', `eth${l}`]);
        run('ip', ['-n', n.ns, 'link', 'set', `eth${l}`, 'up']);
      }
    });
  } catch (err) {
    net.destroy();
    throw err;
  }
  return net;
}
