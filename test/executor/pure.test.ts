import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseXml, type XmlElement } from '../../src/cib/xml.js';
import { parseAgentSpec, AgentSpecError, formatAgentSpec } from '../../src/executor/agent-spec.js';
import { BoundedBuffer } from '../../src/executor/bounded-buffer.js';
import { digestInput, opDigest } from '../../src/executor/digest.js';
import { buildAgentEnvironment, fenceAgentInput } from '../../src/executor/environment.js';
import { isFailure, mapExitCode, pacemakerOpStatus } from '../../src/executor/exit-codes.js';
import { notifyMeta } from '../../src/executor/notify.js';
import { dropInText } from '../../src/executor/systemd.js';
import { exitReasonFrom } from '../../src/executor/executor.js';
import { getopt, HelperUsageError } from '../../src/executor/helpers/getopt.js';
import { parseMetadata } from '../../src/executor/metadata.js';
import type { OperationRequest } from '../../src/executor/types.js';

const CASES = join(process.cwd(), '..', 'shared', 'conformance', 'scheduler', 'cases');

const request = (over: Partial<OperationRequest> = {}): OperationRequest => ({
  resourceId: 'x:1',
  agent: { agentClass: 'ocf', provider: 'vigiltest', type: 'envdump' },
  params: { fake: 'hello' },
  meta: { 'clone-max': '2', clone: '1', notify: 'true', 'globally-unique': 'false', 'promoted-max': '1' },
  task: 'start',
  intervalMs: 0,
  timeoutMs: 20000,
  ...over,
});

const ctx = { nodeName: 'node1', nodeId: '1', ocfRoot: '/usr/lib/ocf', shimsDir: '/opt/vigil/libexec', rscTmp: '/run/resource-agents', inherited: { PATH: '/usr/bin:/bin', OCF_RESKEY_stale: 'x', HOME: '/root' } };

describe('agent environment', () => {
  const env = buildAgentEnvironment(request(), ctx);

  it('sets the variables Pacemaker 2.1.5 sets', () => {
    expect(env).toMatchObject({
      OCF_ROOT: '/usr/lib/ocf',
      OCF_FUNCTIONS_DIR: '/usr/lib/ocf/lib/heartbeat',
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '1',
      OCF_RESOURCE_INSTANCE: 'x:1',
      OCF_RESOURCE_TYPE: 'envdump',
      OCF_RESOURCE_PROVIDER: 'vigiltest',
      OCF_RESKEY_fake: 'hello',
      OCF_RESKEY_crm_feature_set: '3.16.1',
      OCF_RESKEY_CRM_meta_timeout: '20000',
      OCF_RESKEY_CRM_meta_interval: '0',
      OCF_RESKEY_CRM_meta_name: 'start',
      OCF_RESKEY_CRM_meta_on_node: 'node1',
      OCF_RESKEY_CRM_meta_on_node_uuid: '1',
      OCF_RESKEY_CRM_meta_clone_max: '2',
      OCF_RESKEY_CRM_meta_clone: '1',
      OCF_RESKEY_CRM_meta_notify: 'true',
      OCF_RESKEY_CRM_meta_globally_unique: 'false',
      OCF_EXIT_REASON_PREFIX: 'ocf-exit-reason:',
      HA_RSCTMP: '/run/resource-agents',
      HA_SBIN_DIR: '/opt/vigil/libexec',
      HOME: '/root',
    });
  });

  it('gives both spellings of promoted/master limits, and marks the clone promotable', () => {
    expect(env.OCF_RESKEY_CRM_meta_promoted_max).toBe('1');
    expect(env.OCF_RESKEY_CRM_meta_master_max).toBe('1');
    expect(env.OCF_RESKEY_CRM_meta_promotable).toBe('true');
  });

  it("puts the shims first on PATH and drops the executor's own OCF variables", () => {
    expect(env.PATH).toBe('/opt/vigil/libexec:/usr/bin:/bin');
    expect(env.OCF_RESKEY_stale).toBeUndefined();
  });

  it('passes OCF_CHECK_LEVEL from the op parameters', () => {
    const e = buildAgentEnvironment(request({ task: 'monitor', intervalMs: 10000, params: { OCF_CHECK_LEVEL: '20' } }), ctx);
    expect(e.OCF_CHECK_LEVEL).toBe('20');
    expect(e.OCF_RESKEY_OCF_CHECK_LEVEL).toBe('20');
    expect(e.OCF_RESKEY_CRM_meta_interval).toBe('10000');
  });

  it('gives notify actions both the old and the new role names', () => {
    const meta = notifyMeta({
      type: 'pre', operation: 'promote',
      start: [], stop: [], demote: [], inactive: [],
      promote: [{ resource: 'db:1', node: 'n2' }],
      active: [{ resource: 'db:0', node: 'n1' }, { resource: 'db:1', node: 'n2' }],
      promoted: [], unpromoted: [{ resource: 'db:0', node: 'n1' }, { resource: 'db:1', node: 'n2' }],
      allNodes: ['n1', 'n2'], availableNodes: ['n1', 'n2'],
    });
    const e = buildAgentEnvironment(request({ task: 'notify', meta }), ctx);
    expect(e.OCF_RESKEY_CRM_meta_notify_type).toBe('pre');
    expect(e.OCF_RESKEY_CRM_meta_notify_operation).toBe('promote');
    expect(e.OCF_RESKEY_CRM_meta_notify_promote_uname).toBe('n2');
    expect(e.OCF_RESKEY_CRM_meta_notify_slave_resource).toBe('db:0 db:1');
    expect(e.OCF_RESKEY_CRM_meta_notify_unpromoted_uname).toBe('n1 n2');
    expect(e.OCF_RESKEY_CRM_meta_notify_master_uname).toBe('');
    expect(e.OCF_RESKEY_CRM_meta_notify_all_hosts).toBe('n1 n2');
  });

  it('feeds fence agents key=value lines with the action, never pcmk_ parameters', () => {
    const input = fenceAgentInput(request({ agent: { agentClass: 'stonith', type: 'fence_dummy' }, task: 'monitor', params: { ip: '1.2.3.4', pcmk_host_list: 'a b' } }));
    expect(input).toBe('ip=1.2.3.4\naction=monitor\n');
    const reboot = fenceAgentInput(request({ agent: { agentClass: 'stonith', type: 'fence_ipmilan' }, task: 'reboot', params: { ip: '1.2.3.4', port: 'node2', nodename: 'node2' } }));
    expect(reboot).toBe('ip=1.2.3.4\nport=node2\nnodename=node2\naction=reboot\n');
  });
});

describe('exit codes', () => {
  it('keeps OCF codes and turns unknown ones into errors', () => {
    for (const rc of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191]) expect(mapExitCode('ocf', 'start', rc)).toMatchObject({ rc, status: 'done' });
    expect(mapExitCode('ocf', 'monitor', 42)).toMatchObject({ rc: 1, status: 'error' });
  });

  it('maps LSB status codes as Pacemaker does', () => {
    expect(mapExitCode('lsb', 'monitor', 0).rc).toBe(0);
    for (const c of [1, 2, 3]) expect(mapExitCode('lsb', 'monitor', c).rc).toBe(7);
    expect(mapExitCode('lsb', 'monitor', 4).rc).toBe(1);
    expect(mapExitCode('lsb', 'start', 5).rc).toBe(5);
    expect(mapExitCode('lsb', 'stop', 150).status).toBe('error');
  });

  it('maps fence agents: status 2 is "off", other failures are errors', () => {
    expect(mapExitCode('stonith', 'status', 2).rc).toBe(7);
    expect(mapExitCode('stonith', 'off', 3)).toMatchObject({ rc: 1, reason: expect.stringContaining('login denied') });
  });

  it('treats a probe finding the resource stopped or not installed as no failure', () => {
    expect(isFailure('monitor', 0, 7, 'done')).toBe(false);
    expect(isFailure('monitor', 0, 5, 'done')).toBe(false);
    expect(isFailure('monitor', 10000, 7, 'done')).toBe(true);
    expect(isFailure('monitor', 10000, 8, 'done')).toBe(false);
    expect(isFailure('start', 0, 0, 'timed-out')).toBe(true);
  });

  it("gives Pacemaker's op-status numbers for the CIB", () => {
    expect(['done', 'cancelled', 'timed-out', 'not-supported', 'error', 'not-installed'].map((s) => pacemakerOpStatus(s as never))).toEqual([0, 1, 2, 3, 4, 7]);
  });

  it('takes the last ocf-exit-reason line', () => {
    expect(exitReasonFrom('noise\nocf-exit-reason:first\nINFO: x\nocf-exit-reason: disk full \n')).toBe('disk full');
  });
});

describe('op-digest', () => {
  it('matches the digests Pacemaker recorded for parameterless Dummy operations', () => {
    expect(opDigest({}, 0, 20000)).toBe('f2317cad3d54cec5d7d7aa7d0bf35cf8');
    expect(opDigest({}, 10000, 20000)).toBe('4811cef7f7f94e3a35a70be7916cb2fd');
  });

  it('sorts parameters and ignores meta and bookkeeping attributes', () => {
    expect(digestInput({ b: '2', a: '1', CRM_meta_clone: '3', crm_feature_set: '3.16.1' }, 0, 20000)).toBe(' <parameters a="1" b="2"/>\n');
  });

  it("escapes values as Pacemaker does (apostrophe as an entity, newline as \\n, tab as spaces), as crm_simulate records them", () => {
    expect(opDigest({ fake: "a'b" }, 0, 20000)).toBe('6ea8200a9263f2f2542b6902040b3fe1');
    expect(opDigest({ fake: 'a\nb' }, 0, 20000)).toBe('bbd7d5386a91f8561ed7deb1ed1b519f');
    expect(opDigest({ fake: 'a\tb' }, 0, 20000)).toBe('fda5bac64f68fe6f6a83c9311a81bc80');
  });

  it('agrees with every start digest of a Dummy resource in the scheduler corpus', () => {
    if (!existsSync(CASES)) {
      console.warn(`skipped: ${CASES} is absent`);
      return;
    }
    let checked = 0;
    let withParams = 0;
    const mismatches: string[] = [];
    const walk = (e: XmlElement, f: (e: XmlElement) => void): void => {
      f(e);
      e.children.forEach((c) => walk(c, f));
    };
    for (const file of readdirSync(CASES).filter((n) => n.endsWith('.xml'))) {
      let cib: XmlElement;
      try {
        cib = parseXml(readFileSync(join(CASES, file), 'utf8'));
      } catch {
        continue;
      }
      const prims = new Map<string, XmlElement>();
      walk(cib, (e) => e.name === 'primitive' && prims.set(e.attrs.id, e));
      walk(cib, (e) => {
        if (e.name !== 'lrm_rsc_op' || e.attrs.operation !== 'start' || !e.attrs['op-digest'] || !e.attrs.operation_key) return;
        const p = prims.get(e.attrs.operation_key.replace(/_start_0$/, '').replace(/:\d+$/, ''));
        if (!p || p.attrs.type !== 'Dummy') return;
        const params: Record<string, string> = {};
        for (const set of p.children.filter((c) => c.name === 'instance_attributes')) {
          if (set.children.some((c) => c.name === 'rule')) return;
          for (const nv of set.children) if (nv.name === 'nvpair') params[nv.attrs.name] = nv.attrs.value;
        }
        checked += 1;
        if (Object.keys(params).length) withParams += 1;
        if (opDigest(params, 0, 20000) !== e.attrs['op-digest']) mismatches.push(`${file}: ${e.attrs.operation_key}`);
      });
    }
    expect(checked).toBeGreaterThan(400);
    expect(withParams).toBeGreaterThan(0);
    // These two inputs test a restart on definition change: their recorded digest is stale on purpose.
    expect(mismatches).toEqual(['bug-5025-3.xml: A_start_0', 'bug-5025-4.xml: remote-node_start_0']);
  });
});

describe('systemd units', () => {
  it('get a drop-in that stops systemd restarting them behind the cluster', () => {
    const text = dropInText('nginx.service');
    expect(text).toContain('Description=Cluster Controlled nginx.service');
    expect(text).toMatch(/\[Service\]\nRestart=no/);
  });
});

describe('agent names', () => {
  it('parses the standard:provider:type notation', () => {
    expect(parseAgentSpec('ocf:heartbeat:IPaddr2')).toEqual({ agentClass: 'ocf', provider: 'heartbeat', type: 'IPaddr2' });
    expect(parseAgentSpec('stonith:fence_dummy')).toEqual({ agentClass: 'stonith', type: 'fence_dummy' });
    expect(formatAgentSpec(parseAgentSpec('systemd:getty@tty1'))).toBe('systemd:getty@tty1');
  });

  it('refuses names that are incomplete, unknown or climb out of the agent directory', () => {
    for (const bad of ['Dummy', 'ocf:Dummy', 'ocf:heartbeat:', 'xen:vm', 'ocf:..:sh', 'lsb:../../bin/sh', 'lsb:']) {
      expect(() => parseAgentSpec(bad), bad).toThrow(AgentSpecError);
    }
  });
});

describe('bounded output', () => {
  it('never keeps more than its limit, and keeps the head and the tail', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), fc.integer({ min: 2, max: 500 }), (chunks, limit) => {
        const b = new BoundedBuffer(limit);
        const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        chunks.forEach((c) => b.push(Buffer.from(c)));
        const text = b.toString();
        if (all.length <= limit) expect(text).toBe(all.toString('utf8'));
        else expect(text).toContain(`[... ${all.length - limit} bytes dropped ...]`);
      }),
    );
    const b = new BoundedBuffer(10);
    b.push(Buffer.from('HEADxxxxxxxxxxxxxxxxxxxxTAIL'));
    expect(b.toString()).toMatch(/^HEADx[\s\S]*xTAIL$/);
  });
});

describe('helper option parsing', () => {
  const specs = [
    { key: 'lifetime', short: 'l', long: ['lifetime'], arg: 'required' as const },
    { key: 'quiet', short: 'q', long: ['quiet'] },
    { key: 'query', short: 'G', long: ['query'] },
    { key: 'promotion', short: 'p', long: ['promotion'], arg: 'optional' as const },
  ];
  it('accepts every spelling agents use', () => {
    for (const argv of [['-l', 'reboot'], ['-lreboot'], ['--lifetime=reboot'], ['--lifetime', 'reboot']]) {
      expect(getopt('t', argv, specs).opts.get('lifetime')).toBe('reboot');
    }
    const p = getopt('t', ['-qG', '-p', '-v'.slice(0, 0) || 'x'], specs);
    expect(p.opts.get('quiet')).toBe('true');
    expect(p.opts.get('query')).toBe('true');
    expect(p.opts.get('promotion')).toBe('true');
    expect(p.positional).toEqual(['x']);
    expect(getopt('t', ['-prsc'], specs).opts.get('promotion')).toBe('rsc');
  });
  it('names an unknown option or a missing value', () => {
    expect(() => getopt('crm_attribute', ['-X'], specs)).toThrow(/unknown option '-X'/);
    expect(() => getopt('crm_attribute', ['--lifetime'], specs)).toThrow(HelperUsageError);
  });
});

describe('meta-data', () => {
  it('reads parameters and actions, and names the agent on bad XML', () => {
    const md = parseMetadata('ocf:x:y', '<resource-agent name="y"><shortdesc>S</shortdesc><parameters><parameter name="ip" required="1" unique="1"><shortdesc>IP</shortdesc><content type="string" default="a"/></parameter></parameters><actions><action name="monitor" timeout="20s" interval="10s" depth="0"/></actions></resource-agent>');
    expect(md.parameters[0]).toMatchObject({ name: 'ip', required: true, unique: true, default: 'a', shortdesc: 'IP' });
    expect(md.actions[0]).toMatchObject({ name: 'monitor', timeout: '20s', interval: '10s', depth: '0' });
    expect(() => parseMetadata('ocf:x:y', 'garbage <')).toThrow(/ocf:x:y: meta-data is not valid XML/);
    expect(() => parseMetadata('ocf:x:y', '<html/>')).toThrow(/not <resource-agent>/);
  });
});
