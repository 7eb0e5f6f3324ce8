import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { getNodeCommand, getResourceCommand, registerExecutorCommands } from '../../src/cli/commands/executor.js';
import { UsageError, CommandError } from '../../src/cli/output.js';
import { needs } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

/** Runs `vigil ARGS` through the executor's commands alone, capturing what they print. */
async function vigil(...args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  const program = new Command('vigil').exitOverride();
  registerExecutorCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'vigil', ...args]);
  } finally {
    spy.mockRestore();
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  process.exitCode = undefined;
  return { out, exitCode };
}

const cib = join(dir, 'cib.xml');
writeFileSync(cib, `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
<resources><group id="g"><primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
<instance_attributes id="d-ia"><nvpair id="d-ia-state" name="state" value="${dir}/d.state"/><nvpair id="d-ia-fake" name="fake" value="configured"/></instance_attributes>
<meta_attributes id="d-ma"><nvpair id="d-ma-tr" name="target-role" value="Started"/></meta_attributes>
<operations><op id="d-start" name="start" interval="0" timeout="33s"/></operations></primitive></group></resources><constraints/></configuration>
<status><node_state id="1" uname="node1"><transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="status-1-fc" name="fail-count-d#monitor_10000" value="3"/><nvpair id="status-1-lf" name="last-failure-d#monitor_10000" value="1700000000"/></instance_attributes></transient_attributes></node_state></status></cib>`);

describe('vigil resource op', () => {
  it.skipIf(needs('/usr/lib/ocf/resource.d/heartbeat/Dummy', 'resource-agents'))('runs a configured resource with its CIB parameters and op timeout, showing environment and result', async () => {
    const { out, exitCode } = await vigil('resource', 'op', 'd', 'start', '--cib', cib, '--node', 'node1', '--output-as', 'json');
    const r = JSON.parse(out);
    expect(exitCode).toBe(0);
    expect(r.result).toMatchObject({ rc: 0, status: 'done', rcName: 'OCF_SUCCESS' });
    expect(r.environment).toMatchObject({ OCF_RESKEY_fake: 'configured', OCF_RESKEY_CRM_meta_timeout: '33000', OCF_RESKEY_CRM_meta_target_role: 'Started', OCF_RESOURCE_INSTANCE: 'd', OCF_RESKEY_CRM_meta_on_node: 'node1' });
    const text = await vigil('resource', 'op', 'd', 'monitor', '--cib', cib, '--param', 'fake=override');
    expect(text.out).toMatch(/OCF_RESKEY_fake\s+override/);
    expect(text.out).toMatch(/exit code\s+0 OCF_SUCCESS/);
    await vigil('resource', 'op', 'd', 'stop', '--cib', cib);
    const probe = await vigil('resource', 'op', 'd', 'monitor', '--cib', cib);
    expect(probe.exitCode).toBe(7);
    expect(probe.out).toMatch(/7 OCF_NOT_RUNNING: not running/);
  });

  it.skipIf(needs('/usr/sbin/fence_dummy', 'fence-agents'))('shows the stdin lines a fence agent is given', async () => {
    const { out, exitCode } = await vigil('resource', 'op', 'stonith:fence_dummy', 'status', '--param', `status_file=${dir}/fence.status`, '--param', 'pcmk_host_list=node2', '--node', 'node1');
    expect(out).toContain(`Input (stdin)\n  status_file=${dir}/fence.status\n  action=status\n\n`);
    expect(out).not.toContain('pcmk_host_list=');
    expect(exitCode).toBe(7);
  });

  it('refuses a bad agent name, an unknown resource, or a malformed --param, clearly', async () => {
    await expect(vigil('resource', 'op', 'ocf:Dummy', 'start')).rejects.toThrow(UsageError);
    await expect(vigil('resource', 'op', 'nosuch', 'start', '--cib', cib)).rejects.toThrow(/no primitive resource 'nosuch'/);
    await expect(vigil('resource', 'op', 'ocf:heartbeat:Dummy', 'start', '--param', 'novalue')).rejects.toThrow(/expected NAME=VALUE/);
    await expect(vigil('resource', 'op', 'ocf:heartbeat:Dummy', 'start', '--timeout', 'soon')).rejects.toThrow(/not a duration/);
  });
});

describe('vigil ra', () => {
  it('lists agents by class and provider', async () => {
    const { out } = await vigil('ra', 'list', 'ocf:vigil', '--output-as', 'json');
    expect(JSON.parse(out)).toEqual(['ocf:vigil:Dummy', 'ocf:vigil:HttpCheck', 'ocf:vigil:Stateful', 'ocf:vigil:Supervisor', 'ocf:vigil:VirtualIP']);
    await expect(vigil('ra', 'list', 'xen')).rejects.toThrow(/unknown agent class 'xen'/);
  });

  it.skipIf(needs('/usr/lib/ocf/resource.d/heartbeat/IPaddr2', 'resource-agents'))("shows a real agent's parameters and actions", async () => {
    const { out } = await vigil('ra', 'info', 'ocf:heartbeat:IPaddr2', '--output-as', 'json');
    const md = JSON.parse(out);
    expect(md.parameters.find((p: { name: string }) => p.name === 'ip')).toMatchObject({ required: true, unique: true });
    expect(md.actions.find((a: { name: string }) => a.name === 'monitor')).toMatchObject({ interval: '10s' });
    const text = await vigil('ra', 'info', 'ocf:heartbeat:IPaddr2');
    expect(text.out).toMatch(/^ip\s+string\s+required,unique/m);
    await expect(vigil('ra', 'info', 'ocf:heartbeat:NoSuchAgent')).rejects.toThrow(CommandError);
  });
});

describe('vigil node attribute / resource failcount', () => {
  it('sets, reads and deletes node attributes in the CIB file, refusing unknown nodes', async () => {
    expect((await vigil('node', 'attribute', 'node2', 'site', 'east', '--cib', cib)).out).toBe('node2: site=east\n');
    expect((await vigil('node', 'attribute', 'node2', 'site', '--cib', cib)).out).toBe('east\n');
    expect((await vigil('node', 'attribute', 'node2', 'standby', 'on', '--lifetime', 'reboot', '--cib', cib)).out).toBe('node2: standby=on\n');
    const list = JSON.parse((await vigil('node', 'attribute', 'node2', '--cib', cib, '--output-as', 'json')).out);
    expect(list.attributes).toEqual([{ name: 'site', value: 'east', lifetime: 'forever' }, { name: 'standby', value: 'on', lifetime: 'reboot' }]);
    await vigil('node', 'attribute', 'node2', 'site', '--delete', '--cib', cib);
    await expect(vigil('node', 'attribute', 'node2', 'site', '--cib', cib)).rejects.toThrow(/no attribute 'site'/);
    await expect(vigil('node', 'attribute', 'ghost', 'site', 'x', '--cib', cib)).rejects.toThrow(/node 'ghost' is not in the CIB/);
    await expect(vigil('node', 'attribute', 'node2', 'site', 'x', '--lifetime', 'week', '--cib', cib)).rejects.toThrow(UsageError);
  });

  it('shows and clears fail counts', async () => {
    const shown = JSON.parse((await vigil('resource', 'failcount', 'd', 'node1', '--cib', cib, '--output-as', 'json')).out);
    expect(shown.nodes[0]).toMatchObject({ node: 'node1', total: 3, operations: [{ task: 'monitor', intervalMs: 10000, count: 3, lastFailure: 1700000000 }] });
    expect((await vigil('resource', 'failcount', 'd', '--cib', cib)).out).toMatch(/node1\s+monitor\s+10000ms\s+3/);
    await vigil('resource', 'failcount', 'd', 'node1', '--delete', '--cib', cib);
    expect((await vigil('resource', 'failcount', 'd', 'node1', '--cib', cib)).out).toBe('d: fail count 0 on node1\n');
  });

  it('shares the resource and node groups with the administration verbs', () => {
    const program = new Command('vigil');
    registerExecutorCommands(program);
    expect(getResourceCommand(program)).toBe(program.commands.find((c) => c.name() === 'resource'));
    expect(getNodeCommand(program).commands.map((c) => c.name())).toContain('attribute');
    expect(program.commands.filter((c) => c.name() === 'resource')).toHaveLength(1);
  });
});
