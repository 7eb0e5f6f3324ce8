import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const op = (node: string, key: string, task: string, interval: number, call: number, rc: number): string =>
  `<lrm_rsc_op id="${key}" operation_key="${key}" operation="${task}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${operationDigest(new Map(), interval, 20_000)}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x" on_node="${node}"/>`;

/** A promotable clone promoted on n1 and unpromoted on n2, each with its role's monitor running. */
const CIB = cibXml({
  stonith: false,
  resources: `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-p" name="promotable" value="true"/></meta_attributes>
      <primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><operations>
        <op id="s-mu" name="monitor" interval="15s" role="Unpromoted"/><op id="s-mp" name="monitor" interval="30s" role="Promoted"/>
      </operations></primitive></clone>`,
  constraints: '<rsc_location id="l" rsc="ms" role="Promoted" node="n1" score="100"/>',
  status:
    member('n1', `<lrm_resource id="s:0" class="ocf" provider="pacemaker" type="Stateful">${op('n1', 's:0_last_0', 'promote', 0, 4, 0)}${op('n1', 's:0_monitor_30000', 'monitor', 30000, 5, 8)}</lrm_resource>`) +
    member('n2', `<lrm_resource id="s:1" class="ocf" provider="pacemaker" type="Stateful">${op('n2', 's:1_last_0', 'start', 0, 3, 0)}${op('n2', 's:1_monitor_15000', 'monitor', 15000, 5, 0)}</lrm_resource>`),
});

describe('recurring monitors already running', () => {
  it('are not scheduled again for an instance that stays unpromoted (its history says started)', () => {
    const r = schedule(parseXml(CIB), { now: 1_700_000_000 });
    expect(r.summary).toEqual([]);
    expect(r.graph.actions.filter((a) => a.kind === 'resource' && a.task === 'monitor')).toEqual([]);
  });
});
