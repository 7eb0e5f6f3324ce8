import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatVigilConfig, membershipConfigFor, parseDuration, parseVigilConfig, resolveTiming } from '../../src/config/index.js';

const TWO_LINKS = `# two nodes, two links
[cluster]
name = web

[node alpha]
id = 1
addresses = 192.0.2.11, 198.51.100.11

[node beta]
id = 2
addresses = 192.0.2.12, 198.51.100.12

[quorum]
two_node = yes
`;

function problems(text: string): string[] {
  try {
    parseVigilConfig(text, 'test.conf');
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('parseVigilConfig', () => {
  it('reads a minimal file with defaults filled in', () => {
    const c = parseVigilConfig(TWO_LINKS, 'test.conf');
    expect(c.cluster.name).toBe('web');
    expect(c.nodes).toEqual([
      { name: 'alpha', id: 1, addresses: ['192.0.2.11', '198.51.100.11'], votes: 1 },
      { name: 'beta', id: 2, addresses: ['192.0.2.12', '198.51.100.12'], votes: 1 },
    ]);
    expect(c.links).toEqual([
      { mode: 'udpu', port: 694 },
      { mode: 'udpu', port: 694 },
    ]);
    expect(c.crypto).toEqual({ mode: 'hmac-sha256', keyFile: '/etc/vigil/authkey' });
    expect(c.timing).toEqual({ budgetMs: 600 });
    expect(c.quorum).toMatchObject({ twoNode: true, lastManStanding: false });
    expect(c.paths).toEqual({ stateDir: '/var/lib/vigil', logDir: '/var/log/vigil', socketPath: '/run/vigil/vigil.sock' });
  });

  it('reads every section and key', () => {
    const c = parseVigilConfig(
      `[cluster]
name = db
[node a]
id = 10
votes = 2
[node b]
id = 20
addresses = 10.0.0.2
[node c]
id = 30
[transport]
mode = mcast
port = 5405
crypto = aes-256-gcm
key_file = /etc/vigil/db.key
[link 0]
group = 239.1.2.3
ttl = 2
interface = eth1
[link 1]
mode = bcast
port = 700
broadcast_address = 10.0.0.255
[timing]
detection_budget = 2s
keepalive = 100ms
warntime = 800ms
deadtime = 1500ms
initdead = 1m
[quorum]
expected_votes = 4
wait_for_all = no
last_man_standing = yes
last_man_standing_window = 20s
[paths]
state_dir = /srv/vigil
log_dir = /srv/log
socket = /srv/vigil.sock
`,
      'full.conf',
    );
    expect(c.links).toEqual([
      { mode: 'mcast', port: 5405, group: '239.1.2.3', ttl: 2, interface: 'eth1' },
      { mode: 'bcast', port: 700, broadcastAddress: '10.0.0.255' },
    ]);
    expect(c.nodes[0]).toEqual({ name: 'a', id: 10, addresses: [], votes: 2 });
    expect(c.crypto).toEqual({ mode: 'aes-256-gcm', keyFile: '/etc/vigil/db.key' });
    expect(c.timing).toEqual({ budgetMs: 2000, keepaliveMs: 100, warnMs: 800, deadMs: 1500, initDeadMs: 60_000 });
    expect(c.quorum).toEqual({ expectedVotes: 4, twoNode: false, waitForAll: false, lastManStanding: true, lastManStandingWindowMs: 20_000 });
    expect(c.paths.socketPath).toBe('/srv/vigil.sock');
    expect(resolveTiming(c.timing)).toEqual({ keepaliveMs: 100, warnMs: 800, deadMs: 1500, initDeadMs: 60_000 });
  });

  it('names each problem with its file and line, all at once', () => {
    expect(
      problems(`[cluster]
nam = x
[node a]
addresses = 10.0.0.1
[timing]
deadtime = 5
[bogus]
`),
    ).toEqual([
      "test.conf:1: the cluster needs a name: [cluster] name = ...",
      "test.conf:2: unknown key 'nam' in [cluster] (known: name)",
      "test.conf:6: deadtime: '5' needs a unit: 5ms or 5s",
      'test.conf:7: unknown section [bogus] (known: cluster, node, transport, link, timing, quorum, paths)',
    ]);
  });

  it('refuses repeated keys, sections and node ids, and lines outside sections', () => {
    expect(problems('name = x\n')).toContain("test.conf:1: 'name' comes before any [section]");
    expect(problems('[cluster]\nname = a\nname = b\n')).toContain("test.conf:3: 'name' is set twice in [cluster]");
    expect(problems('[cluster]\nname = a\n[cluster]\nname = b\n[node x]\nid=1\naddresses=10.0.0.1\n')).toContain('test.conf:3: section [cluster] appears twice');
    expect(problems('[cluster]\nname = a\n[node x]\nid = 1\naddresses = 10.0.0.1\n[node y]\nid = 1\naddresses = 10.0.0.2\n')).toEqual([
      'test.conf:6: node y has id 1, already used by x',
    ]);
  });

  it('refuses a unicast link missing an address, and a multicast link without a group', () => {
    expect(problems('[cluster]\nname = a\n[node x]\nid = 1\naddresses = 10.0.0.1\n[node y]\nid = 2\n')).toEqual([
      'test.conf:6: link 0 is unicast (udpu) but y has no address for it',
    ]);
    expect(problems('[cluster]\nname = a\n[node x]\nid = 1\n[transport]\nmode = mcast\n')).toEqual([
      "test.conf: link 0 is multicast and needs a group in 224.0.0.0/4 or ff00::/8, not ''",
    ]);
  });

  it('refuses timers that cannot work, explaining why', () => {
    const base = '[cluster]\nname = a\n[node x]\nid = 1\naddresses = 10.0.0.1\n[timing]\n';
    expect(problems(base + 'detection_budget = 50ms\n')[0]).toMatch(/test.conf:6: detection budget 50 ms is too small.*at least 75 ms/);
    expect(problems(base + 'keepalive = 2s\n')[0]).toMatch(/keepalive 2000 ms must be shorter than deadtime/);
    expect(problems(base + 'deadtime = 30s\n')[0]).toMatch(/detect a dead node in up to 30030ms, over the detection budget of 600ms/);
    expect(problems(base + 'initdead = 500ms\n')[0]).toMatch(/initdead 500 ms must be at least deadtime/);
  });

  it('refuses bad values: not a number, out of range, not yes/no, relative paths, two_node with three nodes', () => {
    const base = '[cluster]\nname = a\n[node x]\nid = 1\naddresses = 10.0.0.1\n';
    expect(problems(base + '[transport]\nport = 70000\n')).toEqual(['test.conf:7: port: 70000 is outside 1–65535']);
    expect(problems(base + '[quorum]\ntwo_node = maybe\n')).toEqual(["test.conf:7: two_node: 'maybe' is not yes or no"]);
    expect(problems(base + '[paths]\nstate_dir = var/lib\n')).toEqual(["test.conf:6: state_dir: 'var/lib' must be an absolute path"]);
    expect(problems(base + '[quorum]\ntwo_node = yes\n')).toEqual(['test.conf:6: two_node = yes needs exactly 2 nodes, not 1']);
    expect(problems('[cluster]\nname = a\n[node x]\nid = 1\naddresses = 300.1.1.1\n')).toEqual([
      "test.conf:3: node x: '300.1.1.1' is not an IPv4 or IPv6 address or a host name",
    ]);
  });

  it('formats a configuration that parses back to the same value', () => {
    const c = parseVigilConfig(TWO_LINKS, 'a');
    expect(parseVigilConfig(formatVigilConfig(c), 'b')).toEqual(c);
    const full = parseVigilConfig(
      '[cluster]\nname = x\n[node a]\nid = 3\nvotes = 0\n[node b]\nid = 4\n[transport]\nmode = bcast\n[link 1]\nmode = mcast\ngroup = ff02::1\nport = 99\n[timing]\ndetection_budget = 3s\ninitdead = 20s\n[quorum]\nlast_man_standing = yes\nwait_for_all = yes\n',
      'c',
    );
    expect(parseVigilConfig(formatVigilConfig(full), 'd')).toEqual(full);
  });

  it('gives the membership machine its configuration', () => {
    const m = membershipConfigFor(parseVigilConfig(TWO_LINKS, 'a'), 'beta', 7);
    expect(m).toMatchObject({ self: 'beta', incarnation: 7, nodes: [{ name: 'alpha', id: 1, votes: 1 }, { name: 'beta', id: 2, votes: 1 }], quorum: { twoNode: true } });
    expect(m.timing.deadMs).toBe(570);
  });
});

describe('durations', () => {
  it('reads ms, s and m, and refuses a bare number', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('5')).toEqual({ error: "'5' needs a unit: 5ms or 5s" });
    expect(parseDuration('1.5ms')).toEqual({ error: "'1.5ms' is not a whole number of milliseconds" });
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const d = parseDuration(s);
        expect(typeof d === 'number' ? Number.isInteger(d) : typeof d.error).toBeTruthy();
      }),
    );
  });

  it('parseVigilConfig throws only ConfigError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseVigilConfig(s, 'fuzz');
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });
});
