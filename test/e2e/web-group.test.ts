import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';

const why = await e2eUnavailable();
const VIP = '10.213.0.101';
const PAGE = 'the same page, wherever vigil runs it';

/** A tiny web server standing in for Apache: it serves one page on every address. */
function webServer(dir: string): string {
  const file = join(dir, 'web-e2e.mjs');
  writeFileSync(file, `import { createServer } from 'node:http';\ncreateServer((_q, r) => r.end(${JSON.stringify(PAGE)})).listen(8080, '0.0.0.0');\n`);
  return file;
}

const group = (script: string, extra = ''): string =>
  `<resources><group id="site">${primitive('site-ip', 'ocf:heartbeat:IPaddr2', { ip: VIP, cidr_netmask: '24', nic: 'eth0' })}` +
  `${primitive('site-web', 'ocf:vigil:Supervisor', { binfile: process.execPath, cmdline_options: script })}</group>${extra}</resources>`;

// Stories 3-5: Apache (here vigil's supervised web server, which needs no config) on a VIP in a
// group, moved for maintenance and cleared; and a VIP + database group (a stand-in process: the
// test does not depend on PostgreSQL) preferring node1 with stickiness: node1 comes back and
// nothing moves.
describe.skipIf(why !== null)(`web group on a VIP${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: E2eCluster;
  let script: string;
  beforeAll(async () => {
    e = await startE2eCluster({ nodes: 2, clients: 1 });
    script = webServer(e.cluster.nodes[0].stateDir.replace(/\/node1\/state$/, ''));
    await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'false', 'no-quorum-policy': 'ignore' }));
    await e.cluster.replace(0, 'rsc_defaults', rscDefaults({ 'resource-stickiness': '200' }));
    await e.cluster.replace(0, 'constraints', '<constraints><rsc_location id="site-prefers-node1" rsc="site" node="node1" score="100"/></constraints>');
    await e.cluster.replace(0, 'resources', group(script));
  }, 60_000);
  afterAll(async () => e?.destroy());

  const page = (): string | null => e.client('curl', ['-s', '--max-time', '1', `http://${VIP}:8080/`]);

  it('serves the same page before and after move, and clear leaves it where it is', async () => {
    await e.waitFor('site on node1', () => e.where('site-web'), (w) => w.length === 1 && w[0] === 'node1', 30_000);
    await e.waitFor('page served', async () => page(), (p) => p === PAGE, 10_000);
    const moved = JSON.parse(e.vigil(0, 'resource', 'move', 'site', 'node2', '--output-as', 'json')) as { constraint: string };
    expect(moved.constraint).toBe('cli-prefer-site');
    await e.waitFor('site on node2', () => e.where('site-web'), (w) => w.length === 1 && w[0] === 'node2', 30_000);
    expect(await e.where('site-ip')).toEqual(['node2']);
    await e.waitFor('page served from node2', async () => page(), (p) => p === PAGE, 10_000);
    const cleared = JSON.parse(e.vigil(1, 'resource', 'clear', 'site', '--output-as', 'json')) as { removed: string[] };
    expect(cleared.removed).toEqual(['cli-prefer-site']);
    // Stickiness 200 beats the location preference of 100: clearing moves nothing back.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await e.where('site-web')).toEqual(['node2']);
    expect(page()).toBe(PAGE);
  }, 90_000);

  it('a preferred node coming back takes nothing back (stickiness, no auto-failback)', async () => {
    // Back on node1 (the preferred node) for maintenance's end: move, then clear.
    e.vigil(0, 'resource', 'move', 'site', 'node1');
    await e.waitFor('site on node1', () => e.where('site-web'), (w) => w.length === 1 && w[0] === 'node1', 30_000);
    e.vigil(0, 'resource', 'clear', 'site');
    // node1 loses power: the group fails over to node2.
    e.powerOff(0);
    await e.waitFor('site on node2', () => e.where('site-web', 1), (w) => w.length === 1 && w[0] === 'node2', 30_000);
    await e.waitFor('page from node2', async () => page(), (p) => p === PAGE, 10_000);
    // node1 comes back, is probed, and gets nothing back.
    e.powerOn(0);
    await e.cluster.waitForMembers(2, 20_000);
    await new Promise((r) => setTimeout(r, 4000));
    expect(await e.where('site-web')).toEqual(['node2']);
    expect(await e.where('site-ip')).toEqual(['node2']);
    expect(page()).toBe(PAGE);
  }, 120_000);
});
