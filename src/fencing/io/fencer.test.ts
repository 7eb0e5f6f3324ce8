import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../cib/xml.js';
import type { FenceStep } from '../decision.js';
import { Fencer, isolatedHere } from './fencer.js';

const external = Object.entries(networkInterfaces()).flatMap(([name, list]) => (name === 'lo' ? [] : (list ?? []).map((a) => a.address)));

describe('isolatedHere', () => {
  it('says nothing for addresses on no real interface (loopback clusters)', () => {
    expect(isolatedHere(['127.0.0.2', '192.0.2.77'], () => 'down')).toBeNull();
  });

  it('reports the node isolated only when every cluster interface is down', () => {
    const ifaces = (): Map<string, string> => new Map([['10.0.0.1', 'eth0'], ['10.0.1.1', 'eth1']]);
    const states = (down: string[]) => (i: string) => (down.includes(i) ? 'down' : 'up');
    expect(isolatedHere(['10.0.0.1', '10.0.1.1'], states(['eth0', 'eth1']), ifaces)).toMatch(/every cluster link of this node is down \(eth0 down, eth1 down\)/);
    expect(isolatedHere(['10.0.0.1', '10.0.1.1'], states(['eth0']), ifaces)).toBeNull();
    expect(isolatedHere(['10.0.0.1'], () => null, ifaces)).toBeNull();
  });

  it.skipIf(external.length === 0)('finds this host\'s interfaces with ip', () => {
    expect(isolatedHere([external[0]], () => 'down')).toMatch(/is down/);
  });
});

describe('Fencer', () => {
  const cib = parseXml(`<cib><configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources><primitive id="f" class="stonith" type="fence_dummy"><instance_attributes id="fa">
      <nvpair id="f1" name="pcmk_host_list" value="n1 n2"/><nvpair id="f2" name="pcmk_delay_base" value="50ms"/>
    </instance_attributes></primitive></resources><constraints/></configuration><status/></cib>`);

  async function fenceWhile(linkStates: string[]): Promise<{ ok: boolean; detail: string; ran: FenceStep[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fencer-'));
    try {
      const ran: FenceStep[] = [];
      const states = [...linkStates];
      const fencer = new Fencer('n1', dir, () => undefined, async (step) => {
        ran.push(step);
        return { ok: true, why: '' };
      }, ['10.0.0.1'], {
        // Each read of the link takes the next state; the last one stays.
        readState: () => (states.length > 1 ? (states.shift() as string) : states[0]),
        interfaces: () => new Map([['10.0.0.1', 'eth0']]),
      });
      return { ...(await fencer.fence(cib, 'n2', 'reboot')), ran };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('fences with its links up', async () => {
    const r = await fenceWhile(['up']);
    expect(r.ok).toBe(true);
    expect(r.ran.map((s) => s.params.plug)).toEqual(['n2']);
  });

  it('refuses when its own links are down, and gives up when they go down while it waits its delay', async () => {
    const refused = await fenceWhile(['down']);
    expect(refused).toMatchObject({ ok: false, ran: [] });
    expect(refused.detail).toMatch(/not fencing n2: every cluster link of this node is down/);
    // Up when asked, cut off during pcmk_delay_base: the side that must lose the race.
    const gaveUp = await fenceWhile(['up', 'down']);
    expect(gaveUp).toMatchObject({ ok: false, ran: [] });
    expect(gaveUp.detail).toMatch(/gave up: every cluster link of this node is down/);
  });
});
