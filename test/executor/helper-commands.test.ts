import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHelper } from '../../src/executor/helpers/main.js';
import { readStoreFile } from '../../src/attributes/io/file-store.js';
import { getAttribute, type AttributeScope } from '../../src/attributes/store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-helpers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let clock = 1_000_000;
const env = { VIGIL_STATE_DIR: join(dir, 'state'), VIGIL_NODE_NAME: 'node1', OCF_RESOURCE_INSTANCE: 'drbd0:1' };

function run(line: string, e: NodeJS.ProcessEnv = env): { code: number; out: string; err: string } {
  const [tool, ...args] = line.split(' ');
  let out = '';
  let err = '';
  const code = runHelper(tool, args, e, { out: (t) => (out += t), err: (t) => (err += t) }, () => clock);
  return { code, out, err };
}
const stored = (scope: AttributeScope, name: string, node = 'node1'): string | undefined => getAttribute(readStoreFile(env.VIGIL_STATE_DIR, clock), { scope, node, name });

describe('crm_attribute', () => {
  it('handles node attributes with both lifetimes, query forms and delete', () => {
    expect(run('crm_attribute -N node2 -n pgsql-status -l reboot -v PRI').code).toBe(0);
    expect(stored('transient', 'pgsql-status', 'node2')).toBe('PRI');
    expect(run('crm_attribute --node node2 --name pgsql-status --lifetime reboot --query --quiet').out).toBe('PRI\n');
    expect(run('crm_attribute -N node2 -n pgsql-status -l reboot -G').out).toBe('scope=status  name=pgsql-status value=PRI\n');
    expect(run('crm_attribute -N node2 -n pgsql-status -l reboot -D').code).toBe(0);
    const absent = run('crm_attribute -N node2 -n pgsql-status -l reboot -G -q');
    expect(absent.code).toBe(105);
    expect(absent.err).toMatch(/not found/);
    expect(run('crm_attribute -N node2 -n pgsql-status -l reboot -G -q -d none').out).toBe('none\n');
    run('crm_attribute -N node1 -n site -v east');
    expect(stored('permanent', 'site')).toBe('east');
  });

  it('handles utilization, cluster options and promotion scores', () => {
    run('crm_attribute -t nodes -N node1 -n cpu -z -v 8');
    expect(stored('utilization', 'cpu')).toBe('8');
    run('crm_attribute -t crm_config -n mysql_REPL_INFO -v node1|bin.0001|4');
    expect(run('crm_attribute --type crm_config --name mysql_REPL_INFO -s mysql_replication --query -q').out).toBe('node1|bin.0001|4\n');
    run('crm_attribute -p -v 100');
    expect(stored('transient', 'master-drbd0')).toBe('100');
    expect(run('crm_attribute --promotion=web -v 5').code).toBe(0);
    expect(stored('transient', 'master-web')).toBe('5');
    expect(run('crm_attribute -p -G -q').out).toBe('100\n');
    expect(run('crm_attribute -p -D').code).toBe(0);
    expect(stored('transient', 'master-drbd0')).toBeUndefined();
    const bad = run('crm_attribute -p -v lots');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/'lots' is not a score/);
  });

  it('refuses bad flags by name, and says when there is nothing to connect to', () => {
    expect(run('crm_attribute -n x -l sometimes -v 1')).toMatchObject({ code: 64, err: expect.stringMatching(/--lifetime must be reboot or forever/) });
    expect(run('crm_attribute -n x --frobnicate')).toMatchObject({ code: 64, err: expect.stringMatching(/unknown option '--frobnicate'/) });
    expect(run('crm_attribute -n x -G', { PATH: '/bin' })).toMatchObject({ code: 102, err: expect.stringMatching(/VIGIL_STATE_DIR or CIB_file/) });
  });
});

describe('crm_master', () => {
  it('sets the promotion score of OCF_RESOURCE_INSTANCE, forever unless -l reboot', () => {
    run('crm_master -l reboot -v 10');
    expect(stored('transient', 'master-drbd0')).toBe('10');
    run('crm_master -Q -l reboot -v 20');
    expect(stored('transient', 'master-drbd0')).toBe('20');
    expect(run('crm_master -q -l reboot -G').out).toBe('20\n');
    run('crm_master -N node2 -v 3');
    expect(stored('permanent', 'master-drbd0', 'node2')).toBe('3');
    run('crm_master -l reboot -D');
    expect(stored('transient', 'master-drbd0')).toBeUndefined();
    expect(run('crm_master -v 1', { ...env, OCF_RESOURCE_INSTANCE: '' })).toMatchObject({ code: 64, err: expect.stringMatching(/no resource specified/) });
  });
});

describe('attrd_updater', () => {
  it('updates, queries (one node or all), deletes', () => {
    run('attrd_updater -n pingd -v 100');
    run('attrd_updater -n pingd -U 200 -N node2');
    expect(run('attrd_updater -n pingd -Q -N node1').out).toBe('name="pingd" host="node1" value="100"\n');
    expect(run('attrd_updater --query --all --name pingd').out).toBe('name="pingd" host="node1" value="100"\nname="pingd" host="node2" value="200"\n');
    run('attrd_updater -D -S status -n pingd');
    expect(run('attrd_updater -n pingd -Q').code).toBe(105);
  });

  it('dampens: the value lands when the delay is over', () => {
    run('attrd_updater -n health -U green -d 5s');
    expect(stored('transient', 'health')).toBeUndefined();
    clock += 3000;
    run('attrd_updater -n health -B amber -d 5');
    clock += 1999;
    expect(stored('transient', 'health')).toBeUndefined();
    clock += 1;
    expect(stored('transient', 'health')).toBe('amber');
    expect(run('attrd_updater -n health -U x -d soon')).toMatchObject({ code: 64, err: expect.stringMatching(/'soon' is not a delay/) });
    expect(run('attrd_updater -n fails -U fails++').code).toBe(0);
    run('attrd_updater -n fails -U fails++');
    expect(stored('transient', 'fails')).toBe('2');
  });
});

describe('crm_node, crm_resource, cibadmin, pacemakerd', () => {
  const cib = join(dir, 'cib.xml');
  writeFileSync(cib, `<cib><configuration><nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes><resources><primitive id="vm1" class="ocf" provider="heartbeat" type="VirtualDomain"/></resources></configuration>
<status><node_state id="2" uname="node2"><lrm><lrm_resources><lrm_resource id="drbd0:1"><lrm_rsc_op id="a" operation="start" call-id="3" rc-code="0" interval="0"/><lrm_rsc_op id="b" operation="promote" call-id="5" rc-code="0" interval="0"/></lrm_resource></lrm_resources></lrm></node_state></status></cib>`);
  const withCib = { ...env, CIB_file: cib };

  it('answers the membership questions agents ask', () => {
    expect(run('crm_node -n').out).toBe('node1\n');
    expect(run('crm_node -l', withCib).out).toBe('1 node1 member\n2 node2 lost\n');
    expect(run('crm_node -p').out).toBe('node1\n');
    expect(run('crm_node -q').out).toBe('1\n');
    expect(run('crm_node -i', withCib).out).toBe('1\n');
    expect(run('crm_node -N 2', withCib).out).toBe('node2\n');
  });

  it('gets and sets resource utilization in the CIB file, as VirtualDomain does', () => {
    expect(run('crm_resource -r vm1 -z -g hv_memory -Q', withCib).code).toBe(105);
    expect(run('crm_resource -r vm1 -z -p hv_memory -v 2048', withCib).code).toBe(0);
    expect(run('crm_resource -r vm1 -z -p hv_memory -v 4096', withCib).code).toBe(0);
    expect(run('crm_resource --resource vm1 --utilization --get-parameter hv_memory --quiet', withCib).out).toBe('4096\n');
    expect(run('crm_resource -r ghost -z -g hv_memory', withCib)).toMatchObject({ code: 64, err: expect.stringMatching(/no resource 'ghost'/) });
    expect(run('crm_resource -r vm1 -z -g hv_memory')).toMatchObject({ code: 102 });
  });

  it('locates a resource from the CIB status, dumps the CIB, reports a version', () => {
    expect(run('crm_resource --locate -r drbd0', withCib).out).toBe('resource drbd0 is running on: node2 Promoted\n');
    expect(run('crm_resource -W -r other', withCib).err).toBe('resource other is NOT running\n');
    expect(run('crm_resource -r x -m -g cpu', withCib).code).toBe(3);
    expect(run('cibadmin -Q', withCib).out).toContain('<node id="2" uname="node2"/>');
    expect(run('pacemakerd -$').out).toMatch(/^Pacemaker 2\.1\.5/);
    expect(run('crm_mon -n -r')).toMatchObject({ code: 64, err: expect.stringMatching(/only one-shot status/) });
  });
});

describe('cibadmin --xpath', () => {
  const cib = join(dir, 'xpath.xml');
  writeFileSync(cib, `<cib><configuration><nodes><node id="1" uname="node1"/></nodes></configuration><status>
<node_state id="1" uname="node1" crmd="online"><transient_attributes id="1"><instance_attributes id="status-1">
<nvpair id="a" name="drbd-r0-peer" value="x"/><nvpair id="b" name="drbd-r0-role" value="y"/><nvpair id="c" name="rmq-cookie" value="c1"/></instance_attributes></transient_attributes></node_state>
<node_state id="2" uname="node2" crmd="offline"><transient_attributes id="2"><instance_attributes id="status-2"><nvpair id="d" name="rmq-cookie" value="c2"/></instance_attributes></transient_attributes></node_state></status></cib>`);
  const e = { ...env, CIB_file: cib };

  it('selects what drbd-attr and rabbitmq-cluster ask for', () => {
    const drbd = run(`cibadmin -Q --xpath /cib/status/node_state[@id='1']/transient_attributes/instance_attributes/nvpair[starts-with(@name,'drbd-r0-')]`, e);
    expect(drbd.out).toMatch(/^<xpath-query>\n {2}<nvpair id="a" name="drbd-r0-peer" value="x"\/>\n {2}<nvpair id="b" name="drbd-r0-role" value="y"\/>\n<\/xpath-query>/);
    expect(run(`cibadmin -Q --xpath //node_state[@crmd='online']//nvpair[@name='rmq-cookie']`, e).out).toMatch(/^<nvpair id="c" name="rmq-cookie" value="c1"\/>/);
    expect(run(`cibadmin -Q --xpath //node_state//nvpair[@name='rmq-cookie']`, e).out.match(/rmq-cookie/g)).toHaveLength(2);
    expect(run(`cibadmin -Q --xpath //nvpair[@name='none']`, e).code).toBe(105);
    expect(run(`cibadmin -Q --xpath //nvpair[position()=1]`, e)).toMatchObject({ code: 64, err: expect.stringMatching(/unsupported predicate \[position\(\)=1\]/) });
    expect(run('cibadmin -R --xml-text x', e).code).toBe(64);
  });
});
