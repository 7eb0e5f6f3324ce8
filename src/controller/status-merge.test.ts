import { describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../cib/xml.js';
import { mergeNodeState } from './status-merge.js';

const xml = (s: string): XmlElement => parseXml(s, 'test');
const pairs = (state: XmlElement): Record<string, string> =>
  Object.fromEntries(
    state.children.filter((c) => c.name === 'transient_attributes').flatMap((t) => t.children.flatMap((s) => s.children.map((p) => [p.attrs.name, p.attrs.value]))),
  );

describe('mergeNodeState', () => {
  const daemon = xml(
    '<node_state id="2" uname="n2" in_ccm="true" crmd="online" expected="member"><transient_attributes id="2"><instance_attributes id="status-2">' +
      '<nvpair id="status-2-master-st" name="master-st" value="10"/><nvpair id="status-2-x" name="fail-count-r1#monitor_1000" value="7"/></instance_attributes></transient_attributes></node_state>',
  );
  const overlay = xml(
    '<node_state id="2" uname="n2" expected="down"><transient_attributes id="2"><instance_attributes id="status-2">' +
      '<nvpair id="status-2-fc" name="fail-count-r1#monitor_1000" value="1"/></instance_attributes></transient_attributes>' +
      '<lrm id="2"><lrm_resources><lrm_resource id="r1" class="ocf" type="Dummy"/></lrm_resources></lrm></node_state>',
  );

  it("keeps vigild's transient attributes beside the controller's fail counts and history", () => {
    const merged = mergeNodeState(daemon, overlay);
    expect(pairs(merged)).toEqual({ 'master-st': '10', 'fail-count-r1#monitor_1000': '1' });
    expect(merged.children.filter((c) => c.name === 'transient_attributes')).toHaveLength(1);
    expect(merged.children.find((c) => c.name === 'lrm')?.children[0].children[0].attrs.id).toBe('r1');
    expect(merged.attrs).toMatchObject({ in_ccm: 'true', crmd: 'online', expected: 'down' });
  });

  it('takes either side alone when the other has no attributes', () => {
    const bare = xml('<node_state id="2" uname="n2" in_ccm="true"/>');
    expect(pairs(mergeNodeState(daemon, bare))).toEqual({ 'master-st': '10', 'fail-count-r1#monitor_1000': '7' });
    expect(pairs(mergeNodeState(bare, overlay))).toEqual({ 'fail-count-r1#monitor_1000': '1' });
  });
});
