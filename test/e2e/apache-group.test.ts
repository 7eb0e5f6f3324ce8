import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const AGENT = '/usr/lib/ocf/resource.d/heartbeat/apache';
const VIP = '10.213.0.101';
const PAGE = '<html><body>the same page, wherever vigil runs Apache</body></html>\n';

async function unavailable(): Promise<string | null> {
  for (const f of [APACHE, AGENT, join(MODULES, 'mod_status.so')]) if (!existsSync(f)) return `${f} is missing (Debian's apache2 and resource-agents)`;
  return e2eUnavailable();
}
const why = await unavailable();

/**
 * One Apache configuration for both nodes, on the "shared disk" (the namespaces share the file
 * system). What must differ per node — the pid file, the run-time dir, the error log — lives
 * under the node's HA_RSCTMP, which vigild gives each agent: Apache expands ${HA_RSCTMP} from its
 * environment, and the agent's own parse of PidFile (an eval) expands it the same way, so the
 * agent watches the pid file of the Apache on its own node, not the other's.
 */
function apacheSite(dir: string): string {
  const www = join(dir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), PAGE);
  // Apache's workers run as www-data: the document root must be readable past the 0700 temp dir.
  chmodSync(dir, 0o755);
  const conf = join(dir, 'apache2.conf');
  writeFileSync(
    conf,
    [
      `ServerRoot ${dir}`,
      'ServerName site.test',
      `Listen ${VIP}:80`,
      'PidFile ${HA_RSCTMP}/apache-site.pid',
      'DefaultRuntimeDir ${HA_RSCTMP}',
      'ErrorLog ${HA_RSCTMP}/apache-site-error.log',
      ...['mpm_event', 'authz_core', 'dir', 'status'].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      'User www-data',
      'Group www-data',
      `DocumentRoot ${www}`,
      'DirectoryIndex index.html',
      `<Directory ${www}>`,
      '  Require all granted',
      '</Directory>',
      '<Location /server-status>',
      '  SetHandler server-status',
      '  Require all granted',
      '</Location>',
      '',
    ].join('\n'),
  );
  return conf;
}

const site = (conf: string): string =>
  `<resources><group id="site">${primitive('site-ip', 'ocf:heartbeat:IPaddr2', { ip: VIP, cidr_netmask: '24', nic: 'eth0' })}` +
  `${primitive('site-web', 'ocf:heartbeat:apache', { configfile: conf, httpd: APACHE, statusurl: `http://${VIP}/server-status` }, '5s')}</group></resources>`;

/** Apache processes started from this test's configuration, wherever they run. */
function strayApaches(conf: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', conf], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

// Story 3 of the source documents: Apache, through Debian's ocf:heartbeat:apache, on a VIP in a
// group; `vigil resource move` for maintenance and `clear`: the client gets the same page before
// and after, and clearing moves nothing back (stickiness beats the location preference).
describe.skipIf(why !== null)(`Apache group on a VIP${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: E2eCluster | undefined;
  let dir: string;
  let conf: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-apache-'));
    conf = apacheSite(dir);
    e = await startE2eCluster({ nodes: 2, clients: 1 });
    await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'false', 'no-quorum-policy': 'ignore' }));
    await e.cluster.replace(0, 'rsc_defaults', rscDefaults({ 'resource-stickiness': '200' }));
    await e.cluster.replace(0, 'constraints', '<constraints><rsc_location id="site-prefers-node1" rsc="site" node="node1" score="100"/></constraints>');
    await e.cluster.replace(0, 'resources', site(conf));
  }, 60_000);
  afterAll(async () => {
    await e?.destroy();
    const left = strayApaches(conf);
    rmSync(dir, { recursive: true, force: true });
    expect(left, 'Apache processes left behind').toEqual([]);
  });

  const page = (): string | null => e!.client('curl', ['-s', '--max-time', '1', `http://${VIP}/`]);

  it('serves the same page before and after move, and clear leaves it where it is', async () => {
    const c = e!;
    await c.waitFor('site on node1', () => c.where('site-web'), (w) => w.length === 1 && w[0] === 'node1', 40_000);
    await c.waitFor('page served from node1', async () => page(), (p) => p === PAGE, 10_000);
    expect(c.pidsNamed(0, 'apache2').length).toBeGreaterThan(0);
    const moved = JSON.parse(c.vigil(0, 'resource', 'move', 'site', 'node2', '--output-as', 'json')) as { constraint: string };
    expect(moved.constraint).toBe('cli-prefer-site');
    await c.waitFor('site on node2', () => c.where('site-web'), (w) => w.length === 1 && w[0] === 'node2', 40_000);
    expect(await c.where('site-ip')).toEqual(['node2']);
    await c.waitFor('page served from node2', async () => page(), (p) => p === PAGE, 10_000);
    // The agent stopped node1's Apache: only node2 runs one.
    expect(c.pidsNamed(0, 'apache2')).toEqual([]);
    expect(c.pidsNamed(1, 'apache2').length).toBeGreaterThan(0);
    const cleared = JSON.parse(c.vigil(1, 'resource', 'clear', 'site', '--output-as', 'json')) as { removed: string[] };
    expect(cleared.removed).toEqual(['cli-prefer-site']);
    // Stickiness 200 beats the location preference of 100: clearing moves nothing back.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await c.where('site-web')).toEqual(['node2']);
    expect(page()).toBe(PAGE);
  }, 100_000);
});
