import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationResult } from '../../src/executor/types.js';
import { BUILT, missing, needs, ROOT } from './helpers.js';

/**
 * Virtual IPs are tested in a network namespace the test makes: a veth pair with
 * 192.0.2.0/24 (TEST-NET-1), so neither the address nor its gratuitous ARPs leave the namespace.
 */
const NS = `vigil-exec-${process.pid}`;

function canMakeNamespaces(): boolean {
  const add = spawnSync('ip', ['netns', 'add', `${NS}-probe`], { stdio: 'ignore' });
  if (add.status !== 0) return false;
  spawnSync('ip', ['netns', 'del', `${NS}-probe`], { stdio: 'ignore' });
  return true;
}

const skip = missing(BUILT, 'dist/executor is not built (run `npm run build` first)') || missing(canMakeNamespaces(), 'cannot create network namespaces here (needs root and iproute2)');

const inNs = (...args: string[]): string => execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8' });
const addresses = (): string => inNs('ip', '-o', 'addr', 'show', 'dev', 'vig0');

describe.skipIf(skip)('virtual IPs inside a network namespace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-netns-'));
  const runner = join(dir, 'run-op.mjs');

  beforeAll(() => {
    mkdirSync(join(dir, 'rsc'));
    writeFileSync(
      runner,
      `const { Executor } = await import(${JSON.stringify(join(ROOT, 'dist', 'executor', 'index.js'))});
const [agent, task, params] = JSON.parse(process.argv[2]);
const ex = new Executor({ nodeName: 'node1', rscTmp: ${JSON.stringify(join(dir, 'rsc'))}, attributes: { kind: 'file', stateDir: ${JSON.stringify(join(dir, 'state'))} } });
const r = await ex.execute({ resourceId: 'vip', agent, params, meta: {}, task, intervalMs: 0, timeoutMs: 30000 });
process.stdout.write(JSON.stringify(r));
`,
    );
    execFileSync('ip', ['netns', 'add', NS]);
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('ip', 'link', 'add', 'vig0', 'type', 'veth', 'peer', 'name', 'vig1');
    inNs('ip', 'link', 'set', 'vig0', 'up');
    inNs('ip', 'link', 'set', 'vig1', 'up');
    inNs('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'vig0');
  });

  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  const op = (agent: object, task: string, params: Record<string, string>): OperationResult =>
    JSON.parse(inNs(process.execPath, runner, JSON.stringify([agent, task, params]))) as OperationResult;

  it.skipIf(needs('/usr/lib/ocf/resource.d/heartbeat/IPaddr2', 'resource-agents'))('ocf:heartbeat:IPaddr2 adds, monitors and removes the address', () => {
    const agent = { agentClass: 'ocf', provider: 'heartbeat', type: 'IPaddr2' };
    const params = { ip: '192.0.2.10', cidr_netmask: '24', nic: 'vig0' };
    expect(op(agent, 'monitor', params).rc).toBe(7);
    const start = op(agent, 'start', params);
    expect(start.rc, start.stderr).toBe(0);
    expect(addresses()).toContain('192.0.2.10/24');
    expect(op(agent, 'monitor', params).rc).toBe(0);
    expect(op(agent, 'stop', params).rc).toBe(0);
    expect(addresses()).not.toContain('192.0.2.10/');
    expect(op(agent, 'monitor', params).rc).toBe(7);
  });

  it('ocf:vigil:VirtualIP adds, monitors and removes the address', () => {
    const agent = { agentClass: 'ocf', provider: 'vigil', type: 'VirtualIP' };
    const params = { ip: '192.0.2.20', cidr_netmask: '24', nic: 'vig0', arp_count: '2' };
    expect(op(agent, 'monitor', params).rc).toBe(7);
    const start = op(agent, 'start', params);
    expect(start.rc, start.stderr).toBe(0);
    expect(addresses()).toContain('192.0.2.20/24');
    expect(op(agent, 'start', params).rc).toBe(0);
    expect(op(agent, 'monitor', params).rc).toBe(0);
    expect(op(agent, 'stop', params).rc).toBe(0);
    expect(addresses()).not.toContain('192.0.2.20/');
    expect(op(agent, 'stop', params).rc).toBe(0);
    const bad = op(agent, 'start', { ip: '192.0.2.300' });
    expect(bad.rc).toBe(6);
    expect(bad.exitReason).toMatch(/not an IPv4 or IPv6 address/);
  });
});
