import { describe, expect, it } from 'vitest';
import { emptyCib } from '../../src/cib/empty.js';
import { serializeXml, type XmlElement } from '../../src/cib/xml.js';
import { applyStatements, configurationOf } from '../../src/crm/load.js';
import { parseCrm } from '../../src/crm/parser.js';
import { showConfiguration } from '../../src/crm/show.js';
import { HAVE_CORPUS, REFUSED_QUIRKS, SHOW_DIFFERENCES, corpusCases } from './corpus.js';

const provider = (type: string): string => (type === 'ping' ? 'pacemaker' : 'heartbeat');

function load(text: string, cib: XmlElement = emptyCib()): XmlElement {
  return configurationOf(applyStatements(cib, parseCrm(text, 'test.crm'), { method: 'update', pickProvider: provider }).cib);
}

const lines = (s: string): string => s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').join('\n');
const shown = corpusCases().filter((c) => c.show !== undefined && !REFUSED_QUIRKS.includes(c.name));

describe.skipIf(!HAVE_CORPUS)('crm configure show', () => {
  it('prints what crmsh prints for every corpus case but the documented differences', () => {
    const differing = shown.filter((c) => lines(showConfiguration(load(c.crm))) !== lines(c.show as string)).map((c) => c.name);
    expect(differing).toEqual(SHOW_DIFFERENCES);
  });

  it('prints an attribute-targeted fencing level in the language rather than as XML', () => {
    const c = shown.find((x) => x.name === 'fence-topo-attribute');
    expect(showConfiguration(load(c?.crm ?? ''))).toContain('fencing_topology \\\n\tattr:rack=r1 f1\n');
  });
});

/**
 * XML with the ids below each object dropped (the printer leaves crmsh-generated sub-ids implicit)
 * and each section's objects in id order (show lists them sorted; a load appends in input order).
 */
function withoutSubIds(el: XmlElement, depth = 0): unknown {
  const keepId = depth <= 2 || ['resource_ref', 'obj_ref'].includes(el.name) || ['primitive', 'group', 'clone', 'master', 'template'].includes(el.name);
  const children = el.children.map((c) => ({ key: `${c.name}#${c.attrs.id ?? ''}`, shape: withoutSubIds(c, depth + 1) }));
  if (depth === 1) children.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { n: el.name, a: Object.entries(el.attrs).filter(([k]) => keepId || k !== 'id').sort(), c: children.map((c) => c.shape) };
}

describe.skipIf(!HAVE_CORPUS)('parse → print → parse', () => {
  it('reads back the same configuration for every corpus case', () => {
    for (const c of shown) {
      const first = load(c.crm);
      const printed = showConfiguration(first, [], { obscure: false });
      const second = load(printed);
      expect(withoutSubIds(second), c.name).toEqual(withoutSubIds(first));
      const third = load(showConfiguration(second, [], { obscure: false }));
      expect(serializeXml(third), `${c.name}: printing is a fixpoint`).toBe(serializeXml(second));
    }
  });

  it('hides passwords unless asked not to', () => {
    const config = load('primitive f stonith:fence_ipmilan params ip=10.0.0.1 password=secret');
    expect(showConfiguration(config)).toContain('password="******"');
    expect(showConfiguration(config, [], { obscure: false })).toContain('password=secret');
  });

  it('shows only the objects asked for', () => {
    const config = load('primitive a Dummy\nprimitive b Dummy\ngroup g a b');
    expect(showConfiguration(config, ['g', 'a'])).toBe('primitive a Dummy\ngroup g a b\n');
  });

  it('falls back to an xml statement for what the language cannot say, and reads it back', () => {
    const config = load('primitive a Dummy\ncolocation c1 inf: a');
    const text = showConfiguration(config, ['c1']);
    expect(text.startsWith('xml <rsc_colocation id="c1" score="INFINITY"> \\\n')).toBe(true);
    expect(serializeXml(load(text + 'primitive a Dummy\n'))).toBe(serializeXml(config));
  });
});
