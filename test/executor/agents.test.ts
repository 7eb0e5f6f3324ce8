import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFailure, type OperationResult } from '../../src/executor/index.js';
import { alive, gone, has, needs, needsBuild, ocf, req, removeSandboxes, sandbox, writeScript } from './helpers.js';

const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat';
const PACEMAKER = '/usr/lib/ocf/resource.d/pacemaker';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const sb = sandbox();
afterAll(removeSandboxes);

describe.skipIf(needs(`${HEARTBEAT}/Dummy`, 'resource-agents'))('ocf:heartbeat:Dummy (resource-agents)', () => {
  const agent = ocf('heartbeat', 'Dummy');
  const params = { state: join(sb.dir, 'hb-dummy.state'), fake: 'x' };

  it('probes as not running, starts, monitors, stops', async () => {
    const probe = await sb.executor.run(req('hbd', agent, 'monitor', params));
    expect(probe).toMatchObject({ rc: 7, status: 'done' });
    expect(isFailure('monitor', 0, probe.rc, probe.status)).toBe(false);
    const start = await sb.executor.run(req('hbd', agent, 'start', params));
    expect(start).toMatchObject({ rc: 0, status: 'done', resourceId: 'hbd', task: 'start' });
    expect(readFileSync(params.state, 'utf8')).toBeDefined();
    expect(start.digest).toMatch(/^[0-9a-f]{32}$/);
    expect((await sb.executor.run(req('hbd', agent, 'monitor', params, { intervalMs: 10_000 }))).rc).toBe(0);
    expect((await sb.executor.run(req('hbd', agent, 'stop', params))).rc).toBe(0);
    expect((await sb.executor.run(req('hbd', agent, 'monitor', params))).rc).toBe(7);
  });

  it('re-arms a recurring monitor, reports changes, and a stop cancels it', async () => {
    const p = { state: join(sb.dir, 'hb-rec.state') };
    await sb.executor.run(req('rec', agent, 'start', p));
    const seen: [OperationResult, boolean][] = [];
    sb.executor.startRecurring(req('rec', agent, 'monitor', p, { intervalMs: 150 }), (r, changed) => seen.push([r, changed]));
    await sleep(700);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0][1]).toBe(true);
    expect(seen.slice(1).every(([r, changed]) => r.rc === 0 && !changed)).toBe(true);
    rmSync(p.state);
    await sleep(400);
    const failed = seen.find(([r]) => r.rc === 7);
    expect(failed?.[1]).toBe(true);
    await sb.executor.run(req('rec', agent, 'stop', p));
    expect(sb.executor.listRecurring().filter((k) => k.resourceId === 'rec')).toEqual([]);
    const count = seen.length;
    await sleep(400);
    expect(seen.length).toBe(count);
  });

  it('keeps monitoring when the result callback throws, and logs it', async () => {
    const logged: string[] = [];
    const l = sandbox({ log: (level, msg) => level === 'error' && logged.push(msg) });
    let calls = 0;
    l.executor.startRecurring(req('cb', agent, 'monitor', { state: join(sb.dir, 'cb.state') }, { intervalMs: 100 }), () => {
      calls += 1;
      throw new Error('controller bug');
    });
    while (calls < 2) await sleep(50);
    await l.executor.shutdown();
    expect(logged[0]).toMatch(/cb monitor_100: result callback failed: controller bug/);
  });

  it('waits for the start-delay before the first run of a recurring monitor', async () => {
    const p = { state: join(sb.dir, 'hb-delay.state') };
    const t0 = Date.now();
    const first = await new Promise<OperationResult>((resolve) => {
      sb.executor.startRecurring(req('delayed', agent, 'monitor', p, { intervalMs: 60_000, meta: { 'start-delay': '400' } }), (r) => resolve(r));
    });
    expect(first.rc).toBe(7);
    expect(first.startedAtMs - t0).toBeGreaterThanOrEqual(390);
    expect(sb.executor.cancelRecurring({ resourceId: 'delayed', task: 'monitor', intervalMs: 60_000 })).toBe(true);
    expect(() => sb.executor.startRecurring(req('delayed', agent, 'monitor', p), () => undefined)).toThrow(RangeError);
  });
});

describe.skipIf(needs(`${PACEMAKER}/Dummy`, 'pacemaker-resource-agents'))('one operation at a time per resource (ocf:pacemaker:Dummy op_sleep)', () => {
  it('queues a second operation until the first ends, while other resources run alongside', async () => {
    const agent = ocf('pacemaker', 'Dummy');
    const a = { state: join(sb.dir, 'q-a.state'), op_sleep: '1' };
    const b = { state: join(sb.dir, 'q-b.state'), op_sleep: '1' };
    const t0 = Date.now();
    const [s1, m1, s2] = await Promise.all([
      sb.executor.run(req('qa', agent, 'start', a)),
      sb.executor.run(req('qa', agent, 'monitor', a)),
      sb.executor.run(req('qb', agent, 'start', b)),
    ]);
    expect([s1.rc, m1.rc, s2.rc]).toEqual([0, 0, 0]);
    expect(m1.startedAtMs).toBeGreaterThanOrEqual(s1.startedAtMs + s1.durationMs - 5);
    expect(m1.queueTimeMs).toBeGreaterThanOrEqual(900);
    expect(Math.abs(s2.startedAtMs - s1.startedAtMs)).toBeLessThan(500);
    expect(Date.now() - t0).toBeLessThan(4000);
    await Promise.all([sb.executor.run(req('qa', agent, 'stop', { ...a, op_sleep: '0' })), sb.executor.run(req('qb', agent, 'stop', { ...b, op_sleep: '0' }))]);
  });
});

describe('misbehaving agents', () => {
  const root = join(sb.dir, 'ocf');
  const dir = join(root, 'resource.d', 'vigiltest');
  mkdirSync(dir, { recursive: true });
  const pids = join(sb.dir, 'hung.pids');
  writeScript(join(dir, 'hang'), `#!/bin/sh\nsleep 1000 &\necho $! >> ${pids}\necho $$ >> ${pids}\nsleep 1000\n`);
  writeScript(join(dir, 'stubborn'), `#!/bin/sh\ntrap '' TERM\necho $$ >> ${pids}.stubborn\nwhile :; do sleep 0.1; done\n`);
  writeScript(join(dir, 'garbage'), '#!/bin/sh\nprintf \'\\001\\002 not xml at all \\377\\n\'\necho "oops" >&2\nexit 42\n');
  writeScript(join(dir, 'chatty'), '#!/bin/sh\nhead -c 300000 /dev/zero | tr "\\0" a\necho\necho ocf-exit-reason:too much >&2\nexit 1\n');
  writeScript(join(dir, 'nap'), '#!/bin/sh\nsleep 0.3\n');
  // Leaves a process behind that holds its output pipes, as IPaddr2 does with send_arp.
  writeScript(join(dir, 'leaver'), `#!/bin/sh\nsleep 30 &\necho $! > ${pids}.leaver\nhead -c 12000 /dev/zero | tr "\\0" b\necho ocf-exit-reason:left one behind >&2\nexit 7\n`);
  const mis = sandbox({ dirs: { ocfRoot: root } });

  it('reports an agent that exits while a process it left holds its pipes, with all it wrote, without waiting for that process', async () => {
    const r = await mis.executor.run(req('leaver', ocf('vigiltest', 'leaver'), 'monitor'));
    const leftover = Number(readFileSync(`${pids}.leaver`, 'utf8'));
    try {
      expect(r).toMatchObject({ status: 'done', rc: 7, exitReason: 'left one behind' });
      expect(r.stdout.trim()).toBe('b'.repeat(12000));
      expect(alive(leftover)).toBe(true);
    } finally {
      process.kill(leftover, 'SIGKILL');
    }
  });

  it('kills a hung agent and everything it started at the timeout, and records it as timed out', async () => {
    const r = await mis.executor.run(req('hung', ocf('vigiltest', 'hang'), 'start', {}, { timeoutMs: 400 }));
    expect(r.status).toBe('timed-out');
    expect(r.rc).toBe(1);
    expect(r.exitReason).toMatch(/timed out after 400ms/);
    expect(r.durationMs).toBeGreaterThanOrEqual(400);
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    // The result comes once the agent itself is gone; the rest of its group may take a moment to die.
    const deadline = Date.now() + 3000;
    while (started.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const pid of started) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('escalates to SIGKILL when the agent ignores SIGTERM', async () => {
    const r = await mis.executor.run(req('stubborn', ocf('vigiltest', 'stubborn'), 'monitor', {}, { timeoutMs: 300 }));
    expect(r.status).toBe('timed-out');
    expect(r.durationMs).toBeGreaterThanOrEqual(550);
    const pid = Number(readFileSync(`${pids}.stubborn`, 'utf8').trim());
    expect(alive(pid)).toBe(false);
  });

  it('records an unknown exit code as an error, keeping the output', async () => {
    const r = await mis.executor.run(req('g', ocf('vigiltest', 'garbage'), 'monitor'));
    expect(r).toMatchObject({ rc: 1, status: 'error', rawExit: { code: 42 } });
    expect(r.exitReason).toMatch(/unknown code 42/);
    expect(r.stdout).toContain('not xml at all');
    expect(r.stderr).toContain('oops');
  });

  it('keeps output bounded and takes the exit reason', async () => {
    const r = await mis.executor.run(req('c', ocf('vigiltest', 'chatty'), 'start'));
    expect(r).toMatchObject({ rc: 1, status: 'done', exitReason: 'too much' });
    expect(r.stdout.length).toBeLessThan(17 * 1024);
    expect(r.stdout).toMatch(/bytes dropped/);
  });

  it('runs no more operations at once than the node limit allows', async () => {
    const one = sandbox({ dirs: { ocfRoot: root }, maxConcurrent: 1 });
    const [a, b] = await Promise.all([one.executor.run(req('a', ocf('vigiltest', 'nap'), 'start')), one.executor.run(req('b', ocf('vigiltest', 'nap'), 'start'))]);
    expect([a.rc, b.rc]).toEqual([0, 0]);
    const [first, second] = a.startedAtMs <= b.startedAtMs ? [a, b] : [b, a];
    expect(second.startedAtMs).toBeGreaterThanOrEqual(first.startedAtMs + first.durationMs - 5);
  });

  it('reports a missing agent as not installed, without running anything', async () => {
    const r = await mis.executor.run(req('n', ocf('vigiltest', 'absent'), 'monitor'));
    expect(r).toMatchObject({ rc: 5, status: 'not-installed' });
    expect(r.exitReason).toContain('ocf:vigiltest:absent');
  });

  it.skipIf(has('/run/systemd/system'))('refuses systemd units clearly when systemd is not PID 1', async () => {
    const r = await mis.executor.run(req('s', { agentClass: 'systemd', type: 'nginx' }, 'start'));
    expect(r).toMatchObject({ rc: 3, status: 'not-supported' });
    expect(r.exitReason).toMatch(/systemd is not running/);
  });
});

describe.skipIf(needs('/usr/lib/ocf/lib/heartbeat/ocf-shellfuncs', 'resource-agents') || needsBuild())('what ocf-shellfuncs makes of the environment', () => {
  it('sees a probe, a promotable clone, this node, the check level, and reaches the shims', async () => {
    const root = join(sb.dir, 'ocf3');
    mkdirSync(join(root, 'resource.d', 'vigiltest'), { recursive: true });
    mkdirSync(join(root, 'lib'));
    // The test agent lives in an OCF root of its own, with the real shell library linked in.
    symlinkSync('/usr/lib/ocf/lib/heartbeat', join(root, 'lib', 'heartbeat'));
    writeScript(join(root, 'resource.d', 'vigiltest', 'envcheck'), `#!/bin/sh
: \${OCF_FUNCTIONS_DIR=\${OCF_ROOT}/lib/heartbeat}
. \${OCF_FUNCTIONS_DIR}/ocf-shellfuncs
ocf_is_probe && echo probe=yes || echo probe=no
ocf_is_ms && echo promotable=yes || echo promotable=no
echo node=$(ocf_local_nodename)
echo check=$OCF_CHECK_LEVEL timeout=$OCF_RESKEY_CRM_meta_timeout
ocf_promotion_score -v 7
exit $OCF_SUCCESS
`);
    const e = sandbox({ dirs: { ocfRoot: root } });
    const r = await e.executor.run(req('pg:0', ocf('vigiltest', 'envcheck'), 'monitor', { OCF_CHECK_LEVEL: '10' }, { meta: { promotable: 'true', 'clone-max': '2' }, timeoutMs: 15_000 }));
    expect(r.rc, r.stderr).toBe(0);
    expect(r.stdout).toContain('probe=yes\npromotable=yes\nnode=node1\ncheck=10 timeout=15000\n');
    expect(e.transient('master-pg')).toBe('7');
  });
});

describe('LSB scripts', () => {
  const initd = join(sb.dir, 'init.d');
  mkdirSync(initd);
  const flag = join(sb.dir, 'lsb.running');
  writeScript(join(initd, 'vigiltest'), `#!/bin/sh
### BEGIN INIT INFO
# Provides:          vigiltest
# Short-Description: a test service
# Description:       a service the vigil tests
#                    start and stop
### END INIT INFO
case "$1" in
  start) touch ${flag}; exit 0 ;;
  stop) rm -f ${flag}; exit 0 ;;
  status) [ -e ${flag} ] && { echo running; exit 0; }; echo stopped; exit 3 ;;
  *) exit 3 ;;
esac
`);
  const lsb = sandbox({ dirs: { lsbDir: initd } });
  const agent = { agentClass: 'lsb' as const, type: 'vigiltest' };

  it('maps status 3 to not running, and runs start/stop', async () => {
    expect((await lsb.executor.run(req('l', agent, 'monitor'))).rc).toBe(7);
    expect((await lsb.executor.run(req('l', agent, 'start'))).rc).toBe(0);
    const mon = await lsb.executor.run(req('l', agent, 'monitor'));
    expect(mon).toMatchObject({ rc: 0, stdout: 'running\n' });
    expect((await lsb.executor.run(req('l', agent, 'stop'))).rc).toBe(0);
    expect((await lsb.executor.run(req('l', agent, 'monitor'))).rc).toBe(7);
  });

  it('builds meta-data from the INIT INFO header', async () => {
    const md = await lsb.executor.metadata(agent);
    expect(md.shortdesc).toBe('a test service');
    expect(md.longdesc).toBe('a service the vigil tests start and stop');
    expect(md.actions.map((a) => a.name)).toContain('monitor');
  });
});

describe.skipIf(needs('/usr/sbin/fence_dummy', 'fence-agents'))('fence agents through the stdin protocol (fence_dummy)', () => {
  const agent = { agentClass: 'stonith' as const, type: 'fence_dummy' };
  const params = { status_file: join(sb.dir, 'fence.status'), pcmk_host_list: 'node2' };

  it('monitors the device, switches the target off and on, reads its status', async () => {
    expect((await sb.executor.run(req('fd', agent, 'monitor', params))).rc).toBe(0);
    expect((await sb.executor.run(req('fd', agent, 'on', params))).rc).toBe(0);
    expect((await sb.executor.run(req('fd', agent, 'status', params))).rc).toBe(0);
    expect((await sb.executor.run(req('fd', agent, 'off', params))).rc).toBe(0);
    const status = await sb.executor.run(req('fd', agent, 'status', params));
    expect(status.rc).toBe(7);
    expect(status.stdout).toContain('OFF');
  });

  it('reads its meta-data (action=metadata on stdin)', async () => {
    const md = await sb.executor.metadata(agent);
    expect(md.parameters.map((p) => p.name)).toContain('status_file');
  });
});

describe.skipIf(needs(`${PACEMAKER}/Stateful`, 'pacemaker-resource-agents') || needsBuild())('ocf:pacemaker:Stateful with promotion scores in the attribute store', () => {
  const agent = ocf('pacemaker', 'Stateful');
  const params = { state: join(sb.dir, 'stateful.state') };
  const meta = { 'promotable': 'true', 'clone-max': '2', clone: '0' };

  it('starts, promotes, demotes and stops, setting master-RSC through crm_attribute', async () => {
    const run = (task: string) => sb.executor.run(req('st:0', agent, task, params, { meta }));
    expect((await run('start')).rc).toBe(0);
    expect(sb.transient('master-st')).toBe('5');
    const promoted = await run('promote');
    expect(promoted.rc, promoted.stderr).toBe(0);
    expect(sb.transient('master-st')).toBe('10');
    expect((await run('monitor')).rc).toBe(8);
    expect((await run('demote')).rc).toBe(0);
    expect(sb.transient('master-st')).toBe('5');
    expect((await run('monitor')).rc).toBe(0);
    expect((await run('stop')).rc).toBe(0);
    expect(sb.transient('master-st')).toBeUndefined();
  });
});

describe.skipIf(needs(`${HEARTBEAT}/anything`, 'resource-agents'))('ocf:heartbeat:anything supervising a process', () => {
  it('starts /bin/sleep, monitors it, stops it', async () => {
    const agent = ocf('heartbeat', 'anything');
    const params = { binfile: '/bin/sleep', cmdline_options: '1000', pidfile: join(sb.dir, 'anything.pid') };
    expect((await sb.executor.run(req('any', agent, 'start', params))).rc).toBe(0);
    const pid = Number(readFileSync(params.pidfile, 'utf8').trim());
    expect(alive(pid)).toBe(true);
    expect((await sb.executor.run(req('any', agent, 'monitor', params, { intervalMs: 10_000 }))).rc).toBe(0);
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
    expect((await sb.executor.run(req('any', agent, 'monitor', params, { intervalMs: 10_000 }))).rc).not.toBe(0);
    expect((await sb.executor.run(req('any', agent, 'stop', params))).rc).toBe(0);
  });
});

describe('helper commands on the agents\' PATH', () => {
  it.skipIf(needsBuild())('answers crm_node, crm_master, attrd_updater the way agents call them', async () => {
    const dir = join(sb.dir, 'ocf2', 'resource.d', 'vigiltest');
    mkdirSync(dir, { recursive: true });
    writeScript(join(dir, 'helpers'), `#!/bin/sh
set -e
echo "node=$(crm_node -n)"
echo "pacemakerd=$(pacemakerd -$)"
\${HA_SBIN_DIR}/crm_master -l reboot -v 42
echo "master=$(\${HA_SBIN_DIR}/crm_master -q -l reboot -G)"
\${HA_SBIN_DIR}/attrd_updater -n pingd -U 100
\${HA_SBIN_DIR}/attrd_updater -n delayed -U 7 -d 30s
\${HA_SBIN_DIR}/attrd_updater -n pingd -Q -N node1
\${HA_SBIN_DIR}/crm_attribute -N node1 -n site -l forever -v east
echo "site=$(\${HA_SBIN_DIR}/crm_attribute -N node1 -n site -l forever -G -q)"
\${HA_SBIN_DIR}/crm_attribute -N node1 -n absent -l reboot -G -q || echo "absent=$?"
`);
    const h = sandbox({ dirs: { ocfRoot: join(sb.dir, 'ocf2') } });
    const r = await h.executor.run(req('web', ocf('vigiltest', 'helpers'), 'start'));
    expect(r.rc, r.stderr).toBe(0);
    expect(r.stdout).toContain('node=node1');
    expect(r.stdout).toContain('pacemakerd=Pacemaker 2.1.5');
    expect(r.stdout).toContain('master=42');
    expect(r.stdout).toContain('name="pingd" host="node1" value="100"');
    expect(r.stdout).toContain('site=east');
    expect(r.stdout).toContain('absent=105');
    expect(h.transient('master-web')).toBe('42');
    expect(h.transient('delayed')).toBeUndefined();
  });

  it('never puts the shims where Pacemaker\'s own tools are', () => {
    const env = sb.executor.environmentFor(req('x', ocf('heartbeat', 'Dummy'), 'start'));
    expect(env.HA_SBIN_DIR).toMatch(/libexec$/);
    expect(env.HA_SBIN_DIR).not.toBe('/usr/sbin');
    expect(env.PATH.split(':')[0]).toBe(env.HA_SBIN_DIR);
    writeFileSync(join(sb.dir, 'marker'), '');
  });
});
