import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkConfig, formatVigilConfig, importCorosyncConf, importHaCf, parseVigilConfig, resolveTiming, type ImportNote } from '../../src/config/index.js';
import { runConfigImport } from '../../src/config/io/cli.js';

// Written for these tests in the shape of the source documents' files (two EC2 hosts, ucast).
const HA_CF = `# ha.cf for the web pair
use_logd on
logfacility local0
keepalive 5
warntime 10
deadtime 15
initdead 60
udpport 694
ucast eth0 10.0.1.10
ucast eth0 10.0.1.11
auto_failback off
node web1 web2
crm respawn
ping 10.0.1.1
compression bz2
`;

const AUTHKEYS = `auth 1
1 sha1 a-long-enough-shared-secret
2 md5 older
`;

const COROSYNC = `totem {
    version: 2
    cluster_name: shop
    transport: knet
    token: 1000
    consensus: 1200
    crypto_cipher: aes256
    crypto_hash: sha256
    interface {
        linknumber: 0
        knet_link_priority: 1
    }
}
nodelist {
    node {
        name: alpha
        nodeid: 1
        ring0_addr: 192.0.2.11
        ring1_addr: 198.51.100.11
    }
    node {
        name: beta
        nodeid: 2
        ring0_addr: 192.0.2.12
        ring1_addr: 198.51.100.12
    }
}
quorum {
    provider: corosync_votequorum
    two_node: 1
    auto_tie_breaker: 1
}
logging {
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: yes
    timestamp: on
}
`;

const noteFor = (notes: ImportNote[], prefix: string): ImportNote | undefined => notes.find((n) => n.directive.startsWith(prefix));

describe('importHaCf', () => {
  const r = importHaCf(HA_CF, AUTHKEYS, { clusterName: 'web' });

  it('translates nodes, unicast addresses, port and quorum', () => {
    expect(r.config.nodes).toEqual([
      { name: 'web1', id: 1, addresses: ['10.0.1.10'], votes: 1 },
      { name: 'web2', id: 2, addresses: ['10.0.1.11'], votes: 1 },
    ]);
    expect(r.config.links).toEqual([{ mode: 'udpu', port: 694 }]);
    expect(r.config.quorum.twoNode).toBe(true);
    expect(checkConfig(r.config)).toEqual([]);
  });

  it('turns deadtime into the detection budget and keeps the timers that still work', () => {
    expect(r.config.timing.budgetMs).toBe(15_000);
    // keepalive 5 s gives only three heartbeats per deadtime: vigil derives its own.
    expect(r.config.timing.keepaliveMs).toBeUndefined();
    expect(noteFor(r.notes, 'keepalive 5')?.detail).toMatch(/replaced by the keepalive derived from the budget, 3s/);
    expect(r.config.timing).toMatchObject({ warnMs: 10_000, initDeadMs: 60_000 });
    expect(resolveTiming(r.config.timing).deadMs).toBe(14_250);
  });

  it('accounts for every directive, with the reason for those it does not translate', () => {
    const lines = HA_CF.split('\n').map((l, i) => ({ l, i: i + 1 })).filter(({ l }) => l.trim() !== '' && !l.startsWith('#'));
    for (const { i } of lines) expect(r.notes.some((n) => n.line === i)).toBe(true);
    expect(noteFor(r.notes, 'auto_failback')).toMatchObject({ status: 'ignored-with-reason', detail: expect.stringMatching(/resource-stickiness/) });
    expect(noteFor(r.notes, 'ping')).toMatchObject({ status: 'unsupported', detail: expect.stringMatching(/ocf:pacemaker:ping/) });
    expect(noteFor(r.notes, 'compression')?.status).toBe('ignored-with-reason');
    expect(noteFor(r.notes, 'crm respawn')?.status).toBe('ignored-with-reason');
  });

  it('takes the signing key from authkeys and reports the extra rotation key', () => {
    expect(new TextDecoder().decode(r.key)).toBe('a-long-enough-shared-secret');
    expect(noteFor(r.notes, 'authkeys: 2 md5')?.status).toBe('ignored-with-reason');
    expect(noteFor(r.notes, 'authkeys: auth 1')?.detail).toMatch(/HMAC-SHA256, not sha1/);
  });

  it('says so when it cannot tell which node owns a unicast address', () => {
    const one = importHaCf('node a b\nucast eth0 10.0.0.2\n');
    expect(noteFor(one.notes, 'ucast eth0 10.0.0.2')).toMatchObject({ status: 'unsupported', detail: expect.stringMatching(/which node owns 10\.0\.0\.2 is unknown/) });
    expect(checkConfig(one.config).map((p) => p.message)).toEqual(['link 0 is unicast (udpu) but a, b have no address for it']);
  });

  it('reads several media as several links, and multicast with its group', () => {
    const m = importHaCf('node a b\nbcast eth0\nmcast eth1 239.0.0.1 695 1 0\nudpport 700\nbcast eth2\nserial /dev/ttyS0\n');
    expect(m.config.links).toEqual([
      { mode: 'bcast', port: 694, interface: 'eth0' },
      { mode: 'mcast', port: 695, group: '239.0.0.1', ttl: 1, interface: 'eth1' },
      { mode: 'bcast', port: 700, interface: 'eth2' },
    ]);
    expect(noteFor(m.notes, 'serial')?.status).toBe('unsupported');
  });

  it('refuses a file without nodes, and reports a missing or short key', () => {
    expect(() => importHaCf('keepalive 1\n')).toThrow(/lists no nodes/);
    expect(noteFor(importHaCf('node a\n').notes, '(authkeys)')?.status).toBe('unsupported');
    expect(noteFor(importHaCf('node a\n', 'auth 1\n1 sha1 short\n').notes, 'authkeys: auth 1')?.detail).toMatch(/only 5 bytes/);
    expect(noteFor(importHaCf('node a\n', 'auth 3\n1 sha1 x\n').notes, 'authkeys: auth 3')?.detail).toMatch(/not defined/);
  });
});

describe('importCorosyncConf', () => {
  const key = new Uint8Array(128).fill(7);
  const r = importCorosyncConf(COROSYNC, key);

  it('translates the nodelist with both rings as two unicast links', () => {
    expect(r.config.cluster.name).toBe('shop');
    expect(r.config.nodes).toEqual([
      { name: 'alpha', id: 1, addresses: ['192.0.2.11', '198.51.100.11'], votes: 1 },
      { name: 'beta', id: 2, addresses: ['192.0.2.12', '198.51.100.12'], votes: 1 },
    ]);
    expect(r.config.links).toEqual([
      { mode: 'udpu', port: 694 },
      { mode: 'udpu', port: 694 },
    ]);
    expect(checkConfig(r.config)).toEqual([]);
  });

  it('turns the token into the detection budget, and encryption into aes-256-gcm', () => {
    expect(r.config.timing).toEqual({ budgetMs: 1000 });
    expect(r.config.crypto.mode).toBe('aes-256-gcm');
    expect(noteFor(r.notes, 'totem.consensus')?.status).toBe('ignored-with-reason');
    expect(r.key).toBe(key);
  });

  it('stretches a default token by token_coefficient for three nodes, as corosync does', () => {
    const three = importCorosyncConf(
      'totem {\nversion: 2\ncluster_name: c\ntransport: udpu\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\n}\nnode {\nring0_addr: 10.0.0.2\n}\nnode {\nring0_addr: 10.0.0.3\n}\n}\n',
    );
    expect(three.config.timing.budgetMs).toBe(3650);
    expect(three.config.nodes.map((n) => [n.name, n.id])).toEqual([['10.0.0.1', 1], ['10.0.0.2', 2], ['10.0.0.3', 3]]);
  });

  it('translates quorum options and reports those it lacks', () => {
    expect(r.config.quorum).toMatchObject({ twoNode: true, lastManStanding: false });
    expect(noteFor(r.notes, 'quorum.auto_tie_breaker')?.status).toBe('unsupported');
    expect(r.config.paths.logDir).toBe('/var/log/corosync');
    expect(noteFor(r.notes, 'logging.timestamp')?.status).toBe('ignored-with-reason');
  });

  it('accounts for every key of the file', () => {
    const keyLines = COROSYNC.split('\n').map((l, i) => ({ l: l.trim(), i: i + 1 })).filter(({ l }) => /^\w+:/.test(l));
    for (const { i } of keyLines) expect(r.notes.some((n) => n.line === i)).toBe(true);
  });

  it('reads udp transport as multicast and refuses broken syntax with the line', () => {
    const mc = importCorosyncConf('totem {\ntransport: udp\ninterface {\nlinknumber: 0\nmcastaddr: 239.192.1.1\nmcastport: 5405\n}\n}\nnodelist {\nnode { name: a; nodeid: 1 }\n}\n');
    expect(mc.config.links).toEqual([{ mode: 'mcast', port: 5405, group: '239.192.1.1', ttl: 1 }]);
    expect(() => importCorosyncConf('totem {\nversion 2\n}\n')).toThrow(/corosync.conf:2: cannot read 'version 2'/);
    expect(() => importCorosyncConf('totem {\n')).toThrow(/section 'totem' is never closed/);
    expect(() => importCorosyncConf('totem {\n}\n')).toThrow(/no nodelist/);
  });

  it('produces a configuration that formats and parses back unchanged', () => {
    expect(parseVigilConfig(formatVigilConfig(r.config), 'x')).toEqual(r.config);
  });
});

describe('vigil config import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-import-'));
  const haCf = join(dir, 'ha.cf');
  const authkeys = join(dir, 'authkeys');
  writeFileSync(haCf, HA_CF);
  writeFileSync(authkeys, AUTHKEYS);
  const capture = (): { stream: Writable; text: () => string } => {
    let text = '';
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
    return { stream, text: () => text };
  };

  it('prints a vigil.conf with the notes as comments, and writes the key with mode 0600', async () => {
    const out = capture();
    const keyOut = join(dir, 'authkey');
    const code = await runConfigImport(['--ha-cf', haCf, '--authkeys', authkeys, '--cluster-name', 'web', '--key-out', keyOut], out.stream);
    expect(code).toBe(0);
    const config = parseVigilConfig(out.text(), 'printed');
    expect(config.crypto.keyFile).toBe(keyOut);
    expect(out.text()).toMatch(/^# +\d+ +ignored +auto_failback off/m);
    expect(statSync(keyOut).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyOut, 'utf8')).toBe('a-long-enough-shared-secret');
    await expect(runConfigImport(['--ha-cf', haCf, '--authkeys', authkeys, '--key-out', keyOut], capture().stream)).rejects.toThrow(/never overwritten/);
  });

  it('prints json, and exits 1 when the result needs editing', async () => {
    const one = join(dir, 'one.cf');
    writeFileSync(one, 'node a b\nucast eth0 10.0.0.2\n');
    const out = capture();
    expect(await runConfigImport(['--ha-cf', one, '--output-as', 'json'], out.stream)).toBe(1);
    const json = JSON.parse(out.text()) as { problems: string[]; notes: ImportNote[]; keyFound: boolean };
    expect(json.problems).toEqual(['[node a] link 0 is unicast (udpu) but a, b have no address for it']);
    expect(json.keyFound).toBe(false);
  });

  it('refuses wrong usage and missing files clearly', async () => {
    await expect(runConfigImport([], capture().stream)).rejects.toThrow(/give either --ha-cf or --corosync/);
    await expect(runConfigImport(['--ha-cf', haCf, '--corosync', haCf], capture().stream)).rejects.toThrow(/either/);
    await expect(runConfigImport(['--corosync', haCf, '--authkeys', authkeys], capture().stream)).rejects.toThrow(/--authkeys and --cluster-name go with --ha-cf/);
    await expect(runConfigImport(['--ha-cf', join(dir, 'absent')], capture().stream)).rejects.toThrow(/cannot read the ha.cf .*ENOENT/);
  });
});
