import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { parseXml, XmlSyntaxError, type XmlElement } from '../../src/cib/xml.js';
import { corpusFiles, SCALE_DIR, SCHEDULER_CASES } from './corpus.js';

// vigil's own XML parser is checked against saxes, a conformant general-purpose SAX parser: on any
// input, both must accept it and build the same tree, or both must reject it.
function saxesTree(text: string): XmlElement | Error {
  const parser = new SaxesParser({ position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on('error', (err) => (failure ??= err));
  parser.on('opentag', (tag) => {
    const el: XmlElement = { name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => stack.pop());
  parser.on('text', (t) => {
    const parent = stack[stack.length - 1];
    if (parent && t.trim() !== '') parent.text = (parent.text ?? '') + t;
  });
  parser.on('cdata', (t) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.text = (parent.text ?? '') + t;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    failure ??= err as Error;
  }
  return failure ?? root ?? new Error('no root');
}

function ours(text: string): XmlElement | XmlSyntaxError {
  try {
    return parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) return err;
    throw err;
  }
}

function agree(text: string): void {
  const mine = ours(text);
  const reference = saxesTree(text);
  if (reference instanceof Error) expect(mine, `saxes rejects (${reference.message}), vigil accepts`).toBeInstanceOf(XmlSyntaxError);
  else {
    if (mine instanceof XmlSyntaxError) throw new Error(`vigil rejects (${mine.message}), saxes accepts`);
    expect(mine).toEqual(reference);
  }
}

describe('parseXml', () => {
  it.each([
    ['attribute normalization', '<a b="x&#10;y\nz\tw" c=\'&lt;&amp;&quot;&apos;&#x41;\'/>'],
    ['text, comments and CDATA', '<a>t1<!-- c -->t2<b/>t3<![CDATA[<x>]]>\n  </a>'],
    ['whitespace-only text is dropped', '<a>\n  <b/>\n  </a>'],
    ['declaration, DOCTYPE, PIs and comments around the root', '<?xml version="1.0"?>\n<!DOCTYPE a>\n<!-- c --><?pi x?><a/>\n<!-- end -->\n'],
    ['byte order mark and CRLF', '\uFEFF<a\r\n b="1\r\n2">x\r\ny</a>'],
    ['namespaced and non-ASCII names', '<a:b x:y="1" é="2"><ü/></a:b>'],
    ['duplicate attribute', '<a b="1" b="2"/>'],
    ['mismatched tags', '<a><b></a>'],
    ['two roots', '<a/><b/>'],
    ['undefined entity', '<a>&foo;</a>'],
    ['bare ampersand', '<a b="x & y"/>'],
    ['"]]>" in text', '<a>x]]>y</a>'],
    ['"--" in a comment', '<!-- x -- y --><a/>'],
    ['text outside the root', 'junk<a/>'],
    ['unquoted attribute', '<a b=1/>'],
    ['"<" in an attribute', '<a b="<"/>'],
    ['late XML declaration', '<a><?xml x?></a>'],
    ['bad character reference', '<a>&#0;</a>'],
    ['bad name', '<1a/>'],
    ['control character', '<a>\u0001</a>'],
    ['empty document', ''],
    ['unclosed tag', '<a'],
    ['attributes without space', '<a b="1"c="2"/>'],
    ['__proto__ attribute', '<a __proto__="x"/>'],
  ])('agrees with saxes: %s', (_what, text) => agree(text));

  it('reports line and column of the first error', () => {
    const err = ours('<cib>\n  <configuration a="1" a="2"/>\n</cib>');
    expect(err).toBeInstanceOf(XmlSyntaxError);
    expect([(err as XmlSyntaxError).line, (err as XmlSyntaxError).column, (err as XmlSyntaxError).reason]).toEqual([2, 24, 'duplicate attribute: a']);
  });

  it('nests 100000 deep without overflowing the stack', () => {
    const depth = 100_000;
    let el = parseXml('<a>'.repeat(depth) + '</a>'.repeat(depth));
    let n = 1;
    while (el.children.length > 0) [el, n] = [el.children[0], n + 1];
    expect(n).toBe(depth);
  });

  const files = [...corpusFiles(SCHEDULER_CASES), ...corpusFiles(SCALE_DIR).filter((f) => !f.includes('64x10000'))];
  it.skipIf(files.length === 0)(`agrees with saxes on the corpus${files.length === 0 ? ' (skipped: corpus absent)' : ''}`, () => {
    for (const f of files) agree(readFileSync(f, 'utf8'));
  });

  const samples = corpusFiles(SCHEDULER_CASES).filter((_, i) => i % 20 === 0);
  it.skipIf(samples.length === 0)('agrees with saxes on damaged corpus documents', () => {
    const texts = samples.map((f) => readFileSync(f, 'utf8'));
    const damage = fc.record({ at: fc.nat(), len: fc.nat({ max: 3 }), insert: fc.constantFrom('', '<', '>', '&', '"', "'", '=', '/', ' ', '!', '?', '-', ']]>', '<!--', '&amp;', '\t', 'é') });
    fc.assert(
      fc.property(fc.nat(), fc.array(damage, { minLength: 1, maxLength: 3 }), (pick, edits) => {
        let text = texts[pick % texts.length];
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.len);
        }
        agree(text);
      }),
      { numRuns: 1500 },
    );
  });
});
