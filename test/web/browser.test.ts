import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XmlElement } from '../../src/cib/xml.js';
import { hashPassword, writeUser } from '../../src/web/auth/passwords.js';
import { liveBackend, StaleBaseError } from '../../src/web/backend.js';
import { systemAgents } from '../../src/web/agents.js';
import { startWebConsole, type WebConsole } from '../../src/web/server.js';

/**
 * The console in a real browser (Debian's chromium driven by playwright-core) on a real
 * three-node vigild cluster on loopback: log in, see the nodes, stop a resource, put a node in
 * standby, run a what-if. Screenshots go to /tmp for a person to look at.
 */

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM)
  ? `chromium is not installed (apt-get install chromium): browser tests skipped`
  : !existsSync(join(root, 'dist/demo/local-cluster.js'))
    ? 'dist/ is missing (npm run build): browser tests skipped'
    : null;
if (skip) console.warn(skip);

interface Cluster {
  nodes: { name: string; socket: string }[];
  startAll(): void;
  waitForMembers(count: number, timeoutMs?: number): Promise<void>;
  replace(i: number, scope: string, xml: string): Promise<void>;
  cib(i: number): Promise<XmlElement>;
  stop(): Promise<void>;
}

const SCREENSHOTS = { dashboard: '/tmp/vigil-web-dashboard.png', whatif: '/tmp/vigil-web-whatif.png', config: '/tmp/vigil-web-config.png', login: '/tmp/vigil-web-login.png' };

describe.skipIf(skip !== null)('web console in chromium on a live cluster', () => {
  let dir: string;
  let cluster: Cluster;
  let web: WebConsole;
  let browser: import('playwright-core').BrowserContext;
  let page: import('playwright-core').Page;
  let activeNodes: (cib: XmlElement, id: string) => string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-web-e2e-'));
    const { LocalCluster } = (await import(join(root, 'dist/demo/local-cluster.js'))) as { LocalCluster: new (o: object) => Cluster };
    const demo = (await import(join(root, 'dist/demo/resources.js'))) as {
      writeDemoPrograms(dir: string): { worker: string; web: string };
      demoResources(p: { worker: string; web: string }, port: number): string;
      DEMO_PROPERTIES: string;
      DEMO_DEFAULTS: string;
    };
    ({ activeNodes } = (await import(join(root, 'dist/controller/admin/edits.js'))) as { activeNodes: typeof activeNodes });
    // The port LocalCluster would pick itself, plus port+2 for the web resource.
    const port = 20_000 + (process.pid % 4_000) * 3;
    cluster = new LocalCluster({ dir, nodes: 3, port, budget: '1s' });
    cluster.startAll();
    await cluster.waitForMembers(3, 20_000);
    await cluster.replace(0, 'crm_config', demo.DEMO_PROPERTIES);
    await cluster.replace(0, 'rsc_defaults', demo.DEMO_DEFAULTS);
    await cluster.replace(0, 'resources', demo.demoResources(demo.writeDemoPrograms(dir), port + 2));

    const usersFile = join(dir, 'web-users');
    writeUser(usersFile, { name: 'admin', role: 'admin', hash: await hashPassword('cluster-admin') });
    web = await startWebConsole({ backend: liveBackend(cluster.nodes[0].socket), port: 0, usersFile, agents: systemAgents() });

    const { chromium } = await import('playwright-core');
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('dialog', (d) => void d.accept());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const where = async (rsc: string): Promise<string[]> => activeNodes(await cluster.cib(0), rsc);

  it('refuses a wrong password, then logs in and shows the nodes with the DC and quorum', async () => {
    await page.goto(web.url);
    await page.getByLabel('User name').waitFor();
    // Before login only the form shows: no sections to navigate to.
    expect(await page.locator('#nav').isVisible()).toBe(false);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page.locator('#login-error'), 'wrong user name or password');
    await page.screenshot({ path: SCREENSHOTS.login });
    await page.getByLabel('Password').fill('cluster-admin');
    await page.getByRole('button', { name: 'Log in' }).click();
    for (const n of ['node1', 'node2', 'node3']) await page.locator(`#nodes tr[data-node="${n}"]`).getByText('online').waitFor({ timeout: 15_000 });
    await page.locator('#nodes').getByText('DC', { exact: true }).waitFor();
    await expectText(page.locator('#summary'), 'Quorum');
    expect(await page.locator('#summary').innerText()).toMatch(/QUORUM\s+yes/i);
    // Every resource of the demo running somewhere, live, without a reload.
    await page.locator('#resources tr[data-resource="worker"] td').nth(1).getByText('Started').waitFor({ timeout: 40_000 });
    await page.locator('#resources tr[data-resource="web-check"]').getByText('Started').waitFor({ timeout: 40_000 });
    await page.screenshot({ path: SCREENSHOTS.dashboard, fullPage: true });
  }, 90_000);

  it('stops a resource with its button and sees it stop', async () => {
    await page.getByRole('button', { name: 'Stop worker' }).click();
    await expectText(page.locator('#notice'), 'worker: target-role=Stopped');
    const row = page.locator('#resources tr[data-resource="worker"]');
    await row.getByText('disabled').waitFor({ timeout: 20_000 });
    await row.getByText('Stopped', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await where('worker')).toEqual([]);
    await page.getByRole('button', { name: 'Start worker' }).click();
    await row.getByText('Started').waitFor({ timeout: 20_000 });
  }, 60_000);

  it('puts a node in standby and sees its resources leave', async () => {
    const [holder] = await where('worker');
    expect(holder).toMatch(/^node\d$/);
    const row = page.locator(`#nodes tr[data-node="${holder}"]`);
    await page.getByRole('button', { name: `Put ${holder} in standby` }).click();
    await row.locator('.badge', { hasText: 'standby' }).waitFor({ timeout: 20_000 });
    const worker = page.locator('#resources tr[data-resource="worker"] td').nth(2);
    const elsewhere = new RegExp(`^(?!${holder}$)node\\d$`);
    await expect.poll(async () => (await worker.innerText()).trim(), { timeout: 30_000, interval: 500 }).toMatch(elsewhere);
    expect((await where('worker'))[0]).toMatch(elsewhere);
    await page.screenshot({ path: SCREENSHOTS.dashboard, fullPage: true });
    await page.getByRole('button', { name: `Bring ${holder} online` }).click();
    await row.locator('.badge', { hasText: 'standby' }).waitFor({ state: 'detached', timeout: 20_000 });
  }, 60_000);

  it('runs a what-if: a node failing, without changing the cluster', async () => {
    const before = await where('web-server');
    expect(before).toHaveLength(1);
    await page.getByRole('button', { name: 'What-if' }).click();
    await page.locator('#whatif-fail').getByLabel(before[0]).check();
    await page.getByRole('button', { name: 'Simulate' }).click();
    const summary = page.getByTestId('whatif-summary');
    await summary.waitFor();
    expect(await summary.innerText()).toMatch(new RegExp(`web-server\\s+\\(\\s*(${before[0]} -> )?node\\d`));
    await page.screenshot({ path: SCREENSHOTS.whatif, fullPage: true });
    expect(await where('web-server')).toEqual(before);
  }, 30_000);

  it('shows the configuration in the crm language and a diff before committing', async () => {
    await page.getByRole('button', { name: 'Configuration' }).click();
    const text = page.locator('#config-text');
    await expect.poll(async () => text.inputValue(), { timeout: 10_000 }).toMatch(/^group web web-server web-check/m);
    await text.fill((await text.inputValue()).replace('resource-stickiness=100', 'resource-stickiness=200'));
    await page.getByRole('button', { name: 'Verify and show changes' }).click();
    await page.locator('pre.diff .add').getByText('resource-stickiness=200').waitFor();
    await page.screenshot({ path: SCREENSHOTS.config, fullPage: true });
    await page.getByRole('button', { name: 'Commit' }).click();
    await expectText(page.locator('#notice'), 'Committed');
    const stickiness = async (): Promise<string | undefined> =>
      (await cluster.cib(0)).children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'rsc_defaults')?.children[0]?.children.find((p) => p.attrs.name === 'resource-stickiness')?.attrs.value;
    await expect.poll(stickiness, { timeout: 5_000, interval: 250 }).toBe('200');
  }, 30_000);

  it('commits through vigild only from the epoch it read: a second writer on the same base is refused', async () => {
    const backend = liveBackend(cluster.nodes[1].socket);
    try {
      const base = await backend.configuration();
      const withProperty = (value: string): XmlElement => {
        const config = base.children.find((c) => c.name === 'configuration')!;
        const crm = config.children.find((c) => c.name === 'crm_config')!;
        const set = crm.children[0];
        const nv = { name: 'nvpair', attrs: { id: 'opt-recheck', name: 'cluster-recheck-interval', value }, children: [] };
        const nextSet = { ...set, children: [...set.children.filter((c) => c.attrs.id !== 'opt-recheck'), nv] };
        const nextConfig = { ...config, children: config.children.map((c) => (c === crm ? { ...crm, children: [nextSet, ...crm.children.slice(1)] } : c)) };
        return { ...base, children: base.children.map((c) => (c === config ? nextConfig : c)) };
      };
      await backend.commitConfiguration(base, withProperty('5min'));
      await expect(backend.commitConfiguration(base, withProperty('9min'))).rejects.toThrow(StaleBaseError);
      const now = JSON.stringify(await backend.configuration());
      expect(now).toContain('"value":"5min"');
      expect(now).not.toContain('"value":"9min"');
    } finally {
      backend.close();
    }
  }, 30_000);
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.getByText(text).first().waitFor({ timeout: 15_000 });
}
