import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, failCount, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';

/** The supervised service is `sleep 100000`: told apart from any other sleep by its argument. */
const SVC_ARG = '100000';
const why = await e2eUnavailable();

// The Asterisk story: 2 nodes, unicast, stickiness INFINITY, migration-threshold 1, a supervised
// process killed with -9: it comes back on the other node, and the first node stays banned by its
// fail count until `vigil resource cleanup`.
describe.skipIf(why !== null)(`process failover on 2 namespace nodes${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: E2eCluster;
  beforeAll(async () => {
    e = await startE2eCluster({ nodes: 2 });
    await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'false', 'no-quorum-policy': 'ignore' }));
    await e.cluster.replace(0, 'rsc_defaults', rscDefaults({ 'resource-stickiness': 'INFINITY', 'migration-threshold': '1' }));
    await e.cluster.replace(0, 'resources', `<resources>${primitive('pbx', 'ocf:vigil:Supervisor', { binfile: '/bin/sleep', cmdline_options: SVC_ARG })}</resources>`);
  }, 60_000);
  afterAll(async () => e?.destroy());

  it('restarts the killed process on the other node and keeps the first node banned until cleanup', async () => {
    const [first] = await e.waitFor('pbx running', () => e.where('pbx'), (w) => w.length === 1);
    const i = e.cluster.nodes.findIndex((n) => n.name === first);
    const other = e.cluster.nodes[1 - i].name;
    // The process the agent supervises, found among that namespace's processes only.
    const [pid] = e.pidsNamed(i, 'sleep', SVC_ARG);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await e.waitFor('pbx on the other node', () => e.where('pbx'), (w) => w.length === 1 && w[0] === other);

    expect(await failCount(e, first, 'pbx')).toBe(1);

    const cleaned = JSON.parse(e.vigil(0, 'resource', 'cleanup', 'pbx', '--output-as', 'json')) as { cleaned: string[] };
    expect(cleaned.cleaned.some((c) => c.includes(first))).toBe(true);
    await e.waitFor('fail count cleared', () => failCount(e, first, 'pbx'), (n) => n === 0, 5000);
    // Stickiness INFINITY: cleanup makes the first node usable again but moves nothing.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await e.where('pbx')).toEqual([other]);

    // Now the first node is eligible again: a failure on the other node brings it back there.
    const j = 1 - i;
    const [pid2] = e.pidsNamed(j, 'sleep', SVC_ARG);
    process.kill(pid2, 'SIGKILL');
    await e.waitFor('pbx back on the first node', () => e.where('pbx'), (w) => w.length === 1 && w[0] === first);
  }, 90_000);
});
