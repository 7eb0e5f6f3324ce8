import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml, XmlSyntaxError } from './xml.js';

describe('xml', () => {
  it('keeps attribute order, escapes and text through a round trip', () => {
    const src = '<cib b="2" a="1&amp;&quot;"><configuration><x/></configuration><d>t &lt;</d></cib>';
    const root = parseXml(src);
    expect(Object.keys(root.attrs)).toEqual(['b', 'a']);
    expect(root.attrs.a).toBe('1&"');
    expect(parseXml(serializeXml(root))).toEqual(root);
    expect(serializeXml(root)).toContain('<x/>');
  });

  it('reports malformed XML with line and column', () => {
    try {
      parseXml('<a>\n  <b></a>', 'f.xml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(XmlSyntaxError);
      const e = err as XmlSyntaxError;
      expect(e.line).toBe(2);
      expect(e.message).toMatch(/^f\.xml:2:\d+: malformed XML/);
    }
  });
});
