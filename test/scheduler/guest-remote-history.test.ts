import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import { cibXml, member, remoteNode } from './fixtures.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function started(id: string, agent = 'ocf:pacemaker:Dummy'): string {
  const [cls, provider, type] = agent.split(':');
  return `<lrm_resource id="${id}" class="${cls}" provider="${provider}" type="${type}"><lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="3" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>`;
}

function cib(opts: { constraints?: string; stonith?: boolean }): string {
  return cibXml({
    stonith: opts.stonith === true,
    resources: `<primitive id="fence" class="stonith" type="fence_dummy"/>
      <primitive id="remote1" class="ocf" provider="pacemaker" type="remote"/>
      <clone id="c"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone>
      <primitive id="web" class="ocf" provider="pacemaker" type="Dummy"/>`,
    constraints: opts.constraints,
    status: [
      member('n1', started('fence', 'stonith::fence_dummy') + started('remote1', 'ocf:pacemaker:remote') + started('d')),
      member('n2', started('d') + started('web')),
      remoteNode('remote1', started('d')),
    ].join(''),
  });
}

const run = (o: Parameters<typeof cib>[0]) => schedule(parseXml(cib(o)), { now: NOW });

describe('remote node histories', () => {
  it('are read once, so a clone instance running on a remote node is not also an orphan', () => {
    for (const stonith of [false, true]) {
      const r = run({ stonith });
      // Other resources may rebalance; the clone's copies all stay where they are.
      expect(r.summary.filter((l) => /\bd:\d/.test(l))).toEqual([]);
      const instances = Object.keys(r.placements).filter((id) => id.startsWith('d:'));
      // clone-max defaults to the number of nodes, remote ones included.
      expect(instances.sort()).toEqual(['d:0', 'd:1', 'd:2']);
    }
  });
});

describe('resource-discovery=exclusive', () => {
  it('lets a resource run only on the nodes the exclusive constraint names', () => {
    const r = run({ constraints: '<rsc_location id="web-only-n1" rsc="web" node="n1" score="0" resource-discovery="exclusive"/><rsc_location id="web-ban-n1" rsc="web" node="n2" score="-INFINITY"/>' });
    expect(r.placements.web.node).toBe('n1');
    const away = run({ constraints: '<rsc_location id="web-only-n1" rsc="web" node="n1" score="0" resource-discovery="exclusive"/><rsc_location id="web-not-n1" rsc="web" node="n1" score="-INFINITY"/>' });
    // Banned from the only node it may be discovered on, it runs nowhere: not on n2, nor remote1.
    expect(away.placements.web.node).toBeNull();
  });
});

describe('a remote node whose connection is lost for good', () => {
  it('is fenced when its connection ran on a lost member and can run nowhere else', () => {
    const xml = cibXml({
      dc: 'n2',
      resources: `<primitive id="fence" class="stonith" type="fence_dummy"/>
      <primitive id="remote1" class="ocf" provider="pacemaker" type="remote"/>
      <primitive id="web" class="ocf" provider="pacemaker" type="Dummy"/>`,
      constraints: '<rsc_location id="remote1-not-n2" rsc="remote1" node="n2" score="-INFINITY"/>',
      status: member('n1', started('remote1', 'ocf:pacemaker:remote'), 'lost') + member('n2', started('fence', 'stonith::fence_dummy')) + remoteNode('remote1', started('web')),
    });
    const text = schedule(parseXml(xml), { now: NOW }).summary.join('\n');
    expect(text).toMatch(/Fence \(reboot\) remote1 'resources are active but connection is unrecoverable'/);
    expect(text).toMatch(/Fence \(reboot\) n1 /);
  });
});
