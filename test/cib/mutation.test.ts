import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CibError } from '../../src/cib/model/errors.js';
import { readCib } from '../../src/cib/model/read.js';
import { writeCib } from '../../src/cib/model/write.js';
import { verifyCib } from '../../src/cib/verify.js';
import { parseXml, serializeXml, XmlSyntaxError } from '../../src/cib/xml.js';
import { corpusFiles, SCHEDULER_CASES } from './corpus.js';

// Damaged input must give a clean error (malformed XML with a position, or a CibError naming the
// element) or a result; never a TypeError or other crash from deep inside the reader.
type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-tag'; nth: number }
  | { kind: 'duplicate-tag'; nth: number }
  | { kind: 'delete-attr'; nth: number }
  | { kind: 'add-attr'; nth: number; attr: string }
  | { kind: 'rename-tag'; nth: number; name: string };

// Names the model gives meaning to, so that renamed tags and added attributes reach its corners.
const ELEMENT_NAMES = [
  'primitive', 'group', 'clone', 'master', 'template', 'bundle', 'op', 'operations', 'meta_attributes', 'instance_attributes',
  'nvpair', 'rule', 'expression', 'date_expression', 'date_spec', 'rsc_location', 'resource_set', 'resource_ref', 'node',
  'node_state', 'lrm', 'lrm_resources', 'lrm_resource', 'lrm_rsc_op', 'transient_attributes', 'configuration', 'status', 'tag',
];
const ATTR_NAMES = ['id', 'id-ref', 'score', 'name', 'value', 'rsc', 'class', 'operation', 'interval', 'epoch', 'ticket', 'index'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 32, max: 126 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-tag' as const), nth: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-tag' as const), nth: fc.nat() }),
  fc.record({ kind: fc.constant('delete-attr' as const), nth: fc.nat() }),
  fc.record({ kind: fc.constant('add-attr' as const), nth: fc.nat(), attr: fc.constantFrom(...ATTR_NAMES) }),
  fc.record({ kind: fc.constant('rename-tag' as const), nth: fc.nat(), name: fc.constantFrom(...ELEMENT_NAMES) }),
);

function nthMatch(text: string, re: RegExp, nth: number): RegExpExecArray | undefined {
  const all = [...text.matchAll(re)];
  return all.length === 0 ? undefined : (all[nth % all.length] as RegExpExecArray);
}

function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'flip': {
      const at = m.at % text.length;
      return text.slice(0, at) + String.fromCharCode(m.byte) + text.slice(at + 1);
    }
    case 'truncate':
      return text.slice(0, m.at % text.length);
    case 'delete-tag': {
      const tag = nthMatch(text, /<[^>]+>/g, m.nth);
      return tag ? text.slice(0, tag.index) + text.slice(tag.index + tag[0].length) : text;
    }
    case 'duplicate-tag': {
      const tag = nthMatch(text, /<[^>]+>/g, m.nth);
      return tag ? text.slice(0, tag.index) + tag[0] + text.slice(tag.index) : text;
    }
    case 'delete-attr': {
      const attr = nthMatch(text, / [\w-]+="[^"]*"/g, m.nth);
      return attr ? text.slice(0, attr.index) + text.slice(attr.index + attr[0].length) : text;
    }
    case 'add-attr': {
      const tag = nthMatch(text, /<[\w-]+/g, m.nth);
      if (!tag) return text;
      const at = tag.index + tag[0].length;
      return `${text.slice(0, at)} ${m.attr}="x1"${text.slice(at)}`;
    }
    case 'rename-tag': {
      // Renames an element, its end tag too, so the document stays well-formed.
      const tag = nthMatch(text, /<([\w-]+)[^>]*?(\/?)>/g, m.nth);
      if (!tag) return text;
      const [whole, name, selfClosing] = tag;
      const opened = text.slice(0, tag.index) + whole.replace(name, m.name);
      const rest = text.slice(tag.index + whole.length);
      if (selfClosing) return opened + rest;
      const end = rest.indexOf(`</${name}>`);
      return end === -1 ? opened + rest : opened + rest.slice(0, end) + `</${m.name}>` + rest.slice(end + name.length + 3);
    }
  }
}

function outcome(text: string): 'ok' | 'xml-error' | 'cib-error' {
  let xml;
  try {
    xml = parseXml(text, 'mutant.xml');
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      expect(err.line).toBeGreaterThan(0);
      expect(err.column).toBeGreaterThan(0);
      return 'xml-error';
    }
    throw err;
  }
  verifyCib(xml);
  try {
    const model = readCib(xml);
    // A document the model accepts must also survive the round trip.
    expect(serializeXml(writeCib(model))).toBe(serializeXml(xml));
    return 'ok';
  } catch (err) {
    if (err instanceof CibError) {
      expect(err.message).toMatch(/<[\w-]+/);
      return 'cib-error';
    }
    throw err;
  }
}

const inputs = corpusFiles(SCHEDULER_CASES).filter((_, i) => i % 25 === 0);

describe.skipIf(inputs.length === 0)(`damaged corpus CIBs${inputs.length === 0 ? ' (skipped: corpus absent)' : ''}`, () => {
  const texts = inputs.map((f) => readFileSync(f, 'utf8'));

  it('never crash the parser, the reader or the verifier', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
        const text = mutations.reduce(mutate, texts[pick % texts.length]);
        seen.add(outcome(text));
      }),
      { numRuns: 2000 },
    );
    // The mutations must reach all three outcomes, or the test is not testing much.
    expect([...seen].sort()).toEqual(['cib-error', 'ok', 'xml-error']);
  });
});
