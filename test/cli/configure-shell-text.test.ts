import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml, type XmlElement } from '../../src/cib/xml.js';
import { loadCrm } from '../../src/crm/commit.js';
import { emptyCib } from '../../src/cib/empty.js';
import { configurationChanged, keepOrder, keepUntouched, replacementText, textForEditing } from '../../src/cli/configure-shell/edit-text.js';
import { refuseIfMoved } from '../../src/cli/configure-shell/cib-store.js';
import { changedLines, unifiedDiff } from '../../src/cli/configure-shell/unified-diff.js';

const plain = { red: (s: string) => `<r>${s}`, green: (s: string) => `<g>${s}`, blue: (s: string) => s };
const load = (cib: XmlElement, text: string, method: 'update' | 'replace' = 'update'): XmlElement =>
  loadCrm(cib, text, { method, force: true, lookupAgent: () => undefined, pickProvider: () => 'heartbeat', source: 't' }).cib;

describe('unifiedDiff', () => {
  it('prints hunks with three lines of context and the line numbers of both texts', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', '').replace('line 20\n', 'line 20\nline 21\n');
    expect(unifiedDiff(changedLines(before, after), plain)).toBe(
      ['@@ -1,5 +1,5 @@', ' line 1', '<r>-line 2', '<g>+line two', ' line 3', ' line 4', ' line 5',
        '@@ -15,6 +15,6 @@', ' line 15', ' line 16', ' line 17', '<r>-line 18', ' line 19', ' line 20', '<g>+line 21', ''].join('\n'),
    );
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff(changedLines('a\nb\n', 'a\nb\n'), plain)).toBe('');
  });

  it('counts an insertion into an empty text from line 0', () => {
    expect(unifiedDiff(changedLines('', 'x\ny\n'), plain)).toBe('@@ -0,0 +1,2 @@\n<g>+x\n<g>+y\n');
    expect(unifiedDiff(changedLines('x\n', ''), plain)).toBe('@@ -1,1 +0,0 @@\n<r>-x\n');
  });
});

describe('editing some objects', () => {
  // Loaded in an order that is not crm's listing order (z before a): an edit must keep it.
  const base = load(emptyCib(), 'primitive z Dummy op monitor interval=10s\nprimitive a Dummy\ngroup g a\nproperty stonith-enabled=false\n');

  it('shows only the objects named, and puts the edited text first in the replacement', () => {
    expect(textForEditing(base, ['a'])).toBe('primitive a Dummy\n');
    const text = replacementText(base, ['a'], 'primitive a Dummy meta target-role=Stopped');
    expect(text.split('\n')[0]).toBe('primitive a Dummy meta target-role=Stopped');
    expect(text).toContain('primitive z Dummy');
    expect(text).not.toContain('primitive a Dummy\n');
  });

  it('keeps the order of the objects it did not touch', () => {
    const next = load(base, replacementText(base, ['a'], 'primitive a Dummy meta target-role=Stopped\n'), 'replace');
    keepUntouched(base, next);
    keepOrder(base, next);
    const resources = (cib: XmlElement): string[] => (cib.children[0].children.find((c) => c.name === 'resources') as XmlElement).children.map((c) => c.attrs.id);
    expect(resources(next)).toEqual(resources(base));
    expect(configurationChanged(base, next)).toBe(true);
  });

  it('keeps the XML of an object whose text did not change, even ids the text does not show', () => {
    const withIds = parseXml(serializeXml(base).replace('id="z-monitor-10s"', 'id="my-op"'));
    const next = load(withIds, replacementText(withIds, ['a'], textForEditing(withIds, ['a'])), 'replace');
    expect(serializeXml(next)).not.toContain('my-op');
    keepUntouched(withIds, next);
    keepOrder(withIds, next);
    expect(serializeXml(next)).toContain('id="my-op"');
    expect(configurationChanged(withIds, next)).toBe(false);
  });
});

describe('refuseIfMoved', () => {
  const base = load(emptyCib(), 'property stonith-enabled=false\nprimitive a Dummy\n');
  it('passes an untouched CIB, even with a new status', () => {
    const now = parseXml(serializeXml(base).replace('num_updates="0"', 'num_updates="7"'));
    expect(() => refuseIfMoved(base, now, true)).not.toThrow();
  });
  it('refuses a new epoch and a configuration changed at the same epoch', () => {
    expect(() => refuseIfMoved(base, load(base, 'primitive b Dummy\n'), false)).toThrow(/epoch 2, and is now at admin_epoch 0, epoch 3/);
    const edited = parseXml(serializeXml(base).replace('type="Dummy"', 'type="Stateful"'));
    expect(() => refuseIfMoved(base, edited, true)).toThrow(/changed at the same epoch/);
    // The live cluster's DC bumps the epoch with every change: there the version alone counts.
    expect(() => refuseIfMoved(base, edited, false)).not.toThrow();
  });
});
