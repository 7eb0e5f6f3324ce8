import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import { parseXml, serializeXml } from '../cib/xml.js';
import { clusterStatus } from '../status/index.js';
import { withDcIdentity } from './dc-identity.js';

const props = (xml: string): Record<string, string> => {
  const cib = parseXml(xml, 'test');
  const set = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'crm_config')?.children[0];
  return Object.fromEntries((set?.children ?? []).map((p) => [p.attrs.name, p.attrs.value]));
};

describe('withDcIdentity', () => {
  it('adds the stack and the DC version, keeping the other options', () => {
    const cib = parseXml(
      '<cib><configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config></configuration><status/></cib>',
      'test',
    );
    const out = serializeXml(withDcIdentity(cib, 'vigil 1.2.3'));
    expect(props(out)).toEqual({ 'stonith-enabled': 'false', 'dc-version': 'vigil 1.2.3', 'cluster-infrastructure': 'vigil' });
    expect(clusterStatus(parseXml(out, 'merged'), { now: 0 }).summary).toMatchObject({ stack: 'vigil', dcVersion: 'vigil 1.2.3' });
  });

  it('creates the property set when missing and leaves an up-to-date CIB as it is', () => {
    const once = withDcIdentity(emptyCib(), 'vigil 1.2.3');
    expect(props(serializeXml(once))).toMatchObject({ 'dc-version': 'vigil 1.2.3', 'cluster-infrastructure': 'vigil' });
    expect(withDcIdentity(once, 'vigil 1.2.3')).toBe(once);
  });
});
