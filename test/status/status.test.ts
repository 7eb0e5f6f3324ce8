import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { clusterStatus, renderCrmMon, renderCrmMonXml, renderSimulateStatus } from '../../src/status/index.js';
import { buildCib, dummy, history, op, started, type CibSpec } from './cib-builder.js';

function status(spec: CibSpec, now?: number): string[] {
  return renderSimulateStatus(buildCib(spec), now !== undefined ? { now } : {}).split('\n');
}

const TWO = [{ name: 'node1' }, { name: 'node2' }];

describe('node list', () => {
  it('groups online and offline nodes, names with numbers in numeric order', () => {
    const out = status({ nodes: [{ name: 'node10' }, { name: 'node2' }, { name: 'node1', state: 'offline' }] });
    expect(out).toContain('    * Online: [ node2 node10 ]');
    expect(out).toContain('    * OFFLINE: [ node1 ]');
  });

  it('shows a node that vanished while expected up as UNCLEAN, and what ran there', () => {
    const out = status({
      props: { 'stonith-enabled': 'true' },
      nodes: [{ name: 'node1' }, { name: 'node2', state: 'lost', history: [started('r')] }],
      resources: dummy('r'),
    });
    expect(out).toContain('    * Node node2: UNCLEAN (offline)');
    expect(out).toContain('    * r\t(ocf:heartbeat:Dummy):\t Started node2 (UNCLEAN)');
  });

  it('treats a lost node as merely offline when fencing is disabled', () => {
    const out = status({ nodes: [{ name: 'node1' }, { name: 'node2', state: 'lost' }] });
    expect(out).toContain('    * OFFLINE: [ node2 ]');
  });

  it('shows standby, standby with active resources, and offline standby', () => {
    const out = status({
      nodes: [
        { name: 'a', attrs: { standby: 'on' } },
        { name: 'b', transient: { standby: 'true' }, history: [started('r')] },
        { name: 'c', state: 'offline', transient: { standby: 'on' } },
      ],
      resources: dummy('r'),
    });
    expect(out).toContain('    * Node a: standby');
    expect(out).toContain('    * Node b: standby (with active resources)');
    expect(out).toContain('    * Node c: OFFLINE (standby)');
  });

  it('shows maintenance and pending nodes individually', () => {
    const out = status({
      props: { 'stonith-enabled': 'true' },
      nodes: [{ name: 'a', transient: { maintenance: 'true' } }, { name: 'b', state: 'pending' }, { name: 'c' }],
    });
    expect(out).toContain('    * Node a: maintenance');
    expect(out).toContain('    * Node b: pending');
    expect(out).toContain('    * Online: [ c ]');
  });

  it('reports red health when a strategy is set', () => {
    const out = status({
      props: { 'node-health-strategy': 'migrate-on-red' },
      nodes: [{ name: 'a', transient: { '#health-disk': 'red' } }, { name: 'b' }],
    });
    expect(out).toContain('    * Node a: online (health is RED)');
  });
});

describe('primitive states and flags', () => {
  it('prints Stopped and Started with the agent', () => {
    const out = status({ nodes: TWO, resources: dummy('a') + dummy('b'), });
    expect(out).toContain('    * a\t(ocf:heartbeat:Dummy):\t Stopped');
    const running = status({ nodes: [{ name: 'node1', history: [started('a')] }], resources: dummy('a') });
    expect(running).toContain('    * a\t(ocf:heartbeat:Dummy):\t Started node1');
  });

  it('marks target-role=Stopped as disabled, running or not', () => {
    const out = status({
      nodes: [{ name: 'node1', history: [started('on')] }],
      resources: dummy('on', { 'target-role': 'Stopped' }) + dummy('off', { 'target-role': 'Stopped' }),
    });
    expect(out).toContain('    * on\t(ocf:heartbeat:Dummy):\t Started node1 (disabled)');
    expect(out).toContain('    * off\t(ocf:heartbeat:Dummy):\t Stopped (disabled)');
    expect(out[0]).toBe('2 of 2 resource instances DISABLED and 0 BLOCKED from further action due to failure');
  });

  it('marks is-managed=false and maintenance=true as unmanaged', () => {
    const out = status({
      nodes: [{ name: 'node1', history: [started('u'), started('m')] }],
      resources: dummy('u', { 'is-managed': 'false' }) + dummy('m', { maintenance: 'true' }),
    });
    expect(out).toContain('    * u\t(ocf:heartbeat:Dummy):\t Started node1 (unmanaged)');
    expect(out).toContain('    * m\t(ocf:heartbeat:Dummy):\t Started node1 (unmanaged)');
  });

  it('shows a failed start and a failed recurring monitor as FAILED', () => {
    const out = status({
      nodes: [
        { name: 'node1', history: [history('s', [op('s', 'start', 1)]), history('m', [op('m', 'start', 0), op('m', 'monitor', 7, { interval: 10000 })])] },
      ],
      resources: dummy('s') + dummy('m'),
    });
    expect(out).toContain('    * s\t(ocf:heartbeat:Dummy):\t FAILED node1');
    expect(out).toContain('    * m\t(ocf:heartbeat:Dummy):\t FAILED node1');
  });

  it('blocks a resource whose stop failed where fencing is disabled', () => {
    const out = status({ nodes: [{ name: 'node1', history: [history('r', [op('r', 'start', 0), op('r', 'stop', 1)])] }], resources: dummy('r') });
    expect(out).toContain('    * r\t(ocf:heartbeat:Dummy):\t FAILED node1 (blocked)');
    expect(out[0]).toBe('0 of 1 resource instances DISABLED and 1 BLOCKED from further action due to failure');
  });

  it('makes a node with a failed stop UNCLEAN (online) when fencing is enabled', () => {
    const out = status({
      props: { 'stonith-enabled': 'true' },
      nodes: [{ name: 'node1', history: [history('r', [op('r', 'start', 0), op('r', 'stop', 1)])] }, { name: 'node2' }],
      resources: dummy('r'),
    });
    expect(out).toContain('    * Node node1: UNCLEAN (online)');
  });

  it('marks a failure under on-fail=ignore as ignored', () => {
    const ignore = '<operations><op id="r-mon" name="monitor" interval="10s" on-fail="ignore"/></operations>';
    const out = status({
      nodes: [{ name: 'node1', history: [history('r', [op('r', 'start', 0), op('r', 'monitor', 1, { interval: 10000 })])] }],
      resources: dummy('r', {}, ignore),
    });
    expect(out).toContain('    * r\t(ocf:heartbeat:Dummy):\t Started node1 (failure ignored)');
  });

  it('shows a probe that found the agent missing as not installed', () => {
    const out = status({ nodes: [{ name: 'node1', history: [history('r', [op('r', 'monitor', 5)])] }], resources: dummy('r') });
    expect(out).toContain('    * r\t(ocf:heartbeat:Dummy):\t Stopped (not installed) ');
  });

  it('lists an active orphan and hides an inactive one', () => {
    const out = status({
      nodes: [{ name: 'node1', history: [started('gone'), history('old', [op('old', 'monitor', 7)])] }],
      resources: dummy('kept'),
    });
    expect(out).toContain('    * gone\t(ocf:heartbeat:Dummy):\t ORPHANED Started node1');
    expect(out.some((l) => l.includes('old'))).toBe(false);
  });

  it('lists every node of a multiply active resource', () => {
    const out = status({ nodes: [{ name: 'node1', history: [started('r')] }, { name: 'node2', history: [started('r')] }], resources: dummy('r') });
    expect(out).toContain('    * r\t(ocf:heartbeat:Dummy):\t Started [ node1 node2 ]');
    expect(clusterStatus(buildCib({ nodes: [{ name: 'node1', history: [started('r')] }, { name: 'node2', history: [started('r')] }], resources: dummy('r') })).resources[0]).toMatchObject({
      multiplyActive: true,
    });
  });

  it('shows actions in flight: Starting, and Monitoring as a flag', () => {
    const out = status({
      nodes: [{ name: 'node1', history: [history('s', [op('s', 'start', 0, { status: -1, call: -1 })]), history('m', [op('m', 'start', 0), op('m', 'monitor', 0, { interval: 10000, status: -1, call: -1 })])] }],
      resources: dummy('s') + dummy('m'),
    });
    expect(out).toContain('    * s\t(ocf:heartbeat:Dummy):\t Starting node1');
    expect(out).toContain('    * m\t(ocf:heartbeat:Dummy):\t Started node1 (Monitoring)');
  });

  it('the revised status (as crm_simulate prints it) shows no action in flight', () => {
    const cib = buildCib({
      nodes: [{ name: 'node1', history: [history('s', [op('s', 'start', 0, { status: -1, call: -1 })]), history('m', [op('m', 'start', 0), op('m', 'monitor', 0, { interval: 10000, status: -1, call: -1 })])] }],
      resources: dummy('s') + dummy('m'),
    });
    const out = renderSimulateStatus(cib, { title: 'Revised Cluster Status' }).split('\n');
    expect(out).toContain('    * s\t(ocf:heartbeat:Dummy):\t Started node1');
    expect(out).toContain('    * m\t(ocf:heartbeat:Dummy):\t Started node1');
  });

  it('forgets a failure older than failure-timeout when no fail count holds it', () => {
    const spec: CibSpec = {
      nodes: [{ name: 'node1', history: [history('r', [op('r', 'start', 1, { lastRcChange: 1000 })])] }],
      resources: dummy('r', { 'failure-timeout': '60s' }),
    };
    expect(status(spec, 1_030_000)).toContain('    * r\t(ocf:heartbeat:Dummy):\t FAILED node1');
    expect(status(spec, 2_000_000)).toContain('    * r\t(ocf:heartbeat:Dummy):\t Stopped');
  });
});

describe('collective resources', () => {
  it('lists resources by priority, then configuration order', () => {
    const out = status({ nodes: TWO, resources: dummy('first') + dummy('second', { priority: '10' }) });
    expect(out.indexOf('    * second\t(ocf:heartbeat:Dummy):\t Stopped')).toBeLessThan(out.indexOf('    * first\t(ocf:heartbeat:Dummy):\t Stopped'));
  });

  it('prints a group header with its flags and its members indented', () => {
    const group = `<group id="g"><meta_attributes id="g-m"><nvpair id="g-t" name="target-role" value="Stopped"/></meta_attributes>${dummy('a')}${dummy('b')}</group>`;
    const out = status({ nodes: TWO, resources: group });
    expect(out).toContain('    * Resource Group: g (disabled):');
    expect(out).toContain('      * a\t(ocf:heartbeat:Dummy):\t Stopped (disabled)');
  });

  it('summarises an anonymous clone as Started and Stopped node lists', () => {
    const clone = `<clone id="c">${dummy('d')}</clone>`;
    const out = status({ nodes: [{ name: 'node1', history: [started('d')] }, { name: 'node2' }, { name: 'node3', history: [started('d:1')] }], resources: clone });
    expect(out).toContain('    * Clone Set: c [d]:');
    expect(out).toContain('      * Started: [ node1 node3 ]');
    expect(out).toContain('      * Stopped: [ node2 ]');
  });

  it('summarises a promotable clone as Promoted and Unpromoted', () => {
    const ms = `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-p" name="promotable" value="true"/></meta_attributes>${dummy('s')}</clone>`;
    const out = status({
      nodes: [{ name: 'node1', history: [history('s', [op('s', 'start', 0), op('s', 'promote', 0)])] }, { name: 'node2', history: [started('s')] }],
      resources: ms,
    });
    expect(out).toContain('    * Clone Set: ms [s] (promotable):');
    expect(out).toContain('      * Promoted: [ node1 ]');
    expect(out).toContain('      * Unpromoted: [ node2 ]');
  });

  it('prints each instance of a unique clone, and a failed instance of an anonymous one', () => {
    const unique = `<clone id="u"><meta_attributes id="u-m"><nvpair id="u-g" name="globally-unique" value="true"/><nvpair id="u-x" name="clone-max" value="2"/></meta_attributes>${dummy('x')}</clone>`;
    const anon = `<clone id="c">${dummy('d')}</clone>`;
    const out = status({
      nodes: [{ name: 'node1', history: [started('x:0'), history('d', [op('d', 'start', 1)])] }, { name: 'node2' }],
      resources: unique + anon,
    });
    expect(out).toContain('    * Clone Set: u [x] (unique):');
    expect(out).toContain('      * x:0\t(ocf:heartbeat:Dummy):\t Started node1');
    expect(out).toContain('      * x:1\t(ocf:heartbeat:Dummy):\t Stopped');
    expect(out).toContain('      * d\t(ocf:heartbeat:Dummy):\t FAILED node1');
  });
});

describe('views and crm_mon output', () => {
  const spec: CibSpec = {
    props: { 'cluster-infrastructure': 'corosync', 'dc-version': '2.1.5' },
    nodes: [{ name: 'node1', history: [started('r'), history('bad', [op('bad', 'monitor', 1, { interval: 10000, lastRcChange: 0 })])] }, { name: 'node2', state: 'offline' }],
    resources: dummy('r') + dummy('bad'),
  };

  it('is plain data that survives JSON', () => {
    const view = clusterStatus(buildCib(spec), { now: 0 });
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(view.summary).toMatchObject({ dcName: 'node1', haveQuorum: true, nodesConfigured: 2, resourceInstancesConfigured: 2 });
    expect(view.failures).toHaveLength(1);
  });

  it('prints the crm_mon summary, lists and failed actions, coloured only when asked', () => {
    const view = clusterStatus(buildCib(spec), { now: 0 });
    const plain = renderCrmMon(view, { colour: false });
    expect(plain).toContain('Cluster Summary:\n  * Stack: corosync\n  * Current DC: node1 (version 2.1.5) - partition with quorum\n');
    expect(plain).toContain('  * Last updated: Thu Jan  1 00:00:00 1970\n');
    expect(plain).toContain('Node List:\n  * Online: [ node1 ]\n  * OFFLINE: [ node2 ]\n');
    expect(plain).toContain("Failed Resource Actions:\n  * bad 10s-interval monitor on node1 returned 'error' at Thu Jan  1 00:00:00 1970\n");
    expect(plain).not.toContain('\u001b[');
    expect(renderCrmMon(view, { colour: true })).toContain('\u001b[31mFAILED\u001b[0m');
  });

  it('writes a crm_mon XML document that parses back', () => {
    const xml = parseXml(renderCrmMonXml(clusterStatus(buildCib(spec))));
    expect(xml.name).toBe('pacemaker-result');
    const names = xml.children.map((c) => c.name);
    expect(names).toEqual(['summary', 'nodes', 'resources', 'failures', 'status']);
    expect(xml.children.find((c) => c.name === 'nodes')!.children.map((n) => n.attrs.name)).toEqual(['node1', 'node2']);
    expect(xml.children.at(-1)!.attrs).toEqual({ code: '0', message: 'OK' });
  });
});

describe('src/status purity', () => {
  it('does no I/O and reads no clock', () => {
    const dir = join('src', 'status');
    const offences = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /from\s+['"]node:|\bDate\.now\(|new Date\(|performance\.now\(|Math\.random\(|setTimeout\(/.test(readFileSync(join(dir, f), 'utf8')));
    expect(offences).toEqual([]);
  });
});
