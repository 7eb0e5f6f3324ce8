import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emptyCib } from '../../src/cib/empty.js';
import { parseXml, type XmlElement } from '../../src/cib/xml.js';
import { applyStatements, configurationOf } from '../../src/crm/load.js';
import { CrmSyntaxError } from '../../src/crm/errors.js';
import { parseCrm } from '../../src/crm/parser.js';

/**
 * Expectations recorded with the installed crmsh 4.4 (shared/conformance/crm/crmsh-run.sh) for
 * inputs written for these tests: NAME.crm, the XML crmsh committed, and its `configure show`.
 */
export function recorded(name: string): { crm: string; xml: XmlElement; show: string } {
  const file = (ext: string): string => readFileSync(fileURLToPath(new URL(`fixtures/${name}.${ext}`, import.meta.url)), 'utf8');
  return { crm: file('crm'), xml: parseXml(file('crmsh.xml')), show: file('crmsh.show') };
}

export function loadConfiguration(text: string, cib: XmlElement = emptyCib()): XmlElement {
  return configurationOf(applyStatements(cib, parseCrm(text, 'test.crm'), { method: 'update', pickProvider: () => 'heartbeat' }).cib);
}

/** Names, attributes in order and children: what the XML says, not how it is escaped or indented. */
export function tree(el: XmlElement): unknown {
  return { n: el.name, a: Object.entries(el.attrs), c: el.children.map(tree) };
}

/** The tree with each section's objects in id order: `show` lists objects sorted, a load keeps input order. */
export function sortedTree(config: XmlElement): unknown {
  const byId = (a: XmlElement, b: XmlElement): number => (a.attrs.id ?? '').localeCompare(b.attrs.id ?? '');
  return config.children.map((section) => ({ n: section.name, c: [...section.children].sort(byId).map(tree) }));
}

export const lines = (s: string): string[] => s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');

/** The message of the syntax error the text gives; fails the test when it parses. */
export function syntaxError(text: string): string {
  try {
    parseCrm(text, 'in.crm');
  } catch (e) {
    if (e instanceof CrmSyntaxError) return e.message;
    throw e;
  }
  throw new Error('parsed without error');
}
