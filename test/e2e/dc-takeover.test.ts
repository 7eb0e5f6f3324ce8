import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes } from '../../src/controller/admin/edits.js';
import type { XmlElement } from '../../src/cib/xml.js';
import { loopbackUnavailable, startLoopbackCluster, type LoopbackCluster } from './loopback.js';

const why = loopbackUnavailable();
const PROPS = '<crm_config><cluster_property_set id="opts"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>';
const dummy = (id: string): string =>
  `<primitive id="${id}" class="ocf" provider="vigil" type="Dummy"><operations><op id="${id}-monitor" name="monitor" interval="1s" timeout="10s"/></operations></primitive>`;
const RESOURCES = `<resources>${dummy('d2')}${dummy('d3')}</resources>`;
const CONSTRAINTS =
  '<constraints><rsc_location id="d2-on-node2" rsc="d2" node="node2" score="100"/><rsc_location id="d3-on-node3" rsc="d3" node="node3" score="100"/></constraints>';

function failCount(cib: XmlElement, node: string, rsc: string): number {
  const state = cib.children.find((c) => c.name === 'status')?.children.find((s) => s.attrs.uname === node);
  let sum = 0;
  for (const t of state?.children ?? []) if (t.name === 'transient_attributes') for (const set of t.children) for (const p of set.children) {
    if ((p.attrs.name ?? '').startsWith(`fail-count-${rsc}#`)) sum += Number(p.attrs.value);
  }
  return sum;
}

/** The transition key of the resource's last start/stop/probe on the node: which operation put it in its state. */
function lastOp(cib: XmlElement, node: string, rsc: string): string | undefined {
  const state = cib.children.find((c) => c.name === 'status')?.children.find((s) => s.attrs.uname === node);
  for (const lrm of state?.children ?? []) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const r of rscs.children) {
    if (r.attrs.id === rsc) return r.children.find((o) => o.attrs.id === `${rsc}_last_0`)?.attrs['transition-key'];
  }
  return undefined;
}

// The reason the status lives in the replicated CIB: when the DC dies, the new DC starts from
// the history the old one wrote — fail counts kept, nothing that runs restarted or probed away.
describe.skipIf(why !== null)(`DC takeover on a loopback cluster${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: LoopbackCluster;
  beforeAll(async () => {
    e = await startLoopbackCluster(3);
    await e.cluster.replace(0, 'crm_config', PROPS);
    await e.cluster.replace(0, 'constraints', CONSTRAINTS);
    await e.cluster.replace(0, 'resources', RESOURCES);
  }, 60_000);
  afterAll(async () => e?.destroy());

  it("a new DC has the old DC's history: fail counts and what runs where", async () => {
    await e.waitFor('d2 on node2, d3 on node3', () => e.dcCib(), (c) => activeNodes(c, 'd2').join() === 'node2' && activeNodes(c, 'd3').join() === 'node3', 30_000);
    // d2 "dies" behind the cluster's back on node2: counted by the DC (node1), recovered in place.
    for (const f of e.stateFiles(1, 'vigil-Dummy-d2')) rmSync(join(e.cluster.nodes[1].stateDir, 'rsctmp', f));
    const before = await e.waitFor('d2 failed once and running again', () => e.dcCib(), (c) => failCount(c, 'node2', 'd2') === 1 && activeNodes(c, 'd2').join() === 'node2', 20_000);
    const d2Key = lastOp(before, 'node2', 'd2');
    const d3Key = lastOp(before, 'node3', 'd3');
    expect(d2Key).toBeDefined();
    e.cluster.powerOff(0);
    const after = await e.waitFor('node2 is DC of node2, node3', () => e.cluster.daemonStatus(1), (s) => s.view?.dc === 'node2' && s.view.members.length === 2, 20_000);
    expect(after.view?.members).toEqual(['node2', 'node3']);
    // Let the new DC plan and settle: with the history it has, there is nothing to do.
    await new Promise((r) => setTimeout(r, 3000));
    const cib = await e.cluster.cib(1);
    expect(failCount(cib, 'node2', 'd2')).toBe(1);
    expect(activeNodes(cib, 'd2')).toEqual(['node2']);
    expect(activeNodes(cib, 'd3')).toEqual(['node3']);
    expect(lastOp(cib, 'node2', 'd2')).toBe(d2Key);
    expect(lastOp(cib, 'node3', 'd3')).toBe(d3Key);
  }, 90_000);
});

/** The last operation recorded for the resource on the node: its task and op-status. */
function lastRecord(cib: XmlElement, node: string, rsc: string): { task?: string; status?: string; key?: string } {
  const state = cib.children.find((c) => c.name === 'status')?.children.find((s) => s.attrs.uname === node);
  for (const lrm of state?.children ?? []) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const r of rscs.children) {
    const op = r.attrs.id === rsc ? r.children.find((o) => o.attrs.id === `${rsc}_last_0`) : undefined;
    if (op) return { task: op.attrs.operation, status: op.attrs['op-status'], key: op.attrs['transition-key'] };
  }
  return {};
}

// Pacemaker's DC learns at election what every node's executor is doing. vigild's nodes tell a
// new DC what an earlier DC asked them for and what still runs, and hand it results no DC got.
describe.skipIf(why !== null)(`DC death during an operation${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: LoopbackCluster;
  beforeAll(async () => {
    e = await startLoopbackCluster(3);
    await e.cluster.replace(0, 'crm_config', PROPS);
  }, 60_000);
  afterAll(async () => e?.destroy());

  it("the new DC records the start the dead DC asked for, and runs it nowhere else", async () => {
    const slow = (role: string): string =>
      `<resources><primitive id="slow" class="ocf" provider="vigil" type="Dummy"><instance_attributes id="slow-p"><nvpair id="slow-s" name="op_sleep" value="3"/></instance_attributes>` +
      `<meta_attributes id="slow-m"><nvpair id="slow-r" name="target-role" value="${role}"/></meta_attributes><operations><op id="slow-mon" name="monitor" interval="30s" timeout="20s"/></operations></primitive></resources>`;
    await e.cluster.replace(0, 'constraints', '<constraints><rsc_location id="slow-on-node2" rsc="slow" node="node2" score="100"/></constraints>');
    await e.cluster.replace(0, 'resources', slow('Stopped'));
    const probed = await e.waitFor('slow probed everywhere', () => e.dcCib(), (c) => ['node1', 'node2', 'node3'].every((n) => lastRecord(c, n, 'slow').task === 'monitor'), 30_000);
    const oldDc = (lastRecord(probed, 'node2', 'slow').key ?? '').split(':')[3];
    expect(oldDc).toBeTruthy();
    await e.cluster.replace(0, 'resources', slow('Started'));
    // The start sleeps 3 s on node2; node1, the DC that asked for it, dies in the middle.
    await new Promise((r) => setTimeout(r, 1200));
    e.cluster.powerOff(0);
    await e.waitFor('node2 is DC of node2, node3', () => e.cluster.daemonStatus(1), (s) => s.view?.dc === 'node2' && s.view.members.length === 2, 20_000);
    const cib = await e.waitFor('the start recorded', () => e.cluster.cib(1), (c) => lastRecord(c, 'node2', 'slow').task === 'start' && lastRecord(c, 'node2', 'slow').status === '0', 20_000);
    // Recorded under the old DC's transition: the new DC did not start it again, nor elsewhere.
    expect(lastRecord(cib, 'node2', 'slow').key?.split(':')[3]).toBe(oldDc);
    expect(lastRecord(cib, 'node3', 'slow').task).toBe('monitor');
    expect(activeNodes(cib, 'slow')).toEqual(['node2']);
  }, 90_000);
});
