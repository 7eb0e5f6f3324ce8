import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCibPatch, CibPatchError, diffCib } from '../../src/cib/diff.js';
import { emptyCib } from '../../src/cib/empty.js';
import { bumpVersion, compareVersions, nextVersion, versionOf, withVersion } from '../../src/cib/versions.js';
import { cloneXml, element, parseXml, serializeXml, type XmlElement } from '../../src/cib/xml.js';
import { corpusFiles, SCHEDULER_CASES } from './corpus.js';

const SAMPLE = `<cib admin_epoch="0" epoch="5" num_updates="2" validate-with="pacemaker-3.9">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts"><nvpair id="opts-se" name="stonith-enabled" value="false"/></cluster_property_set>
    </crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>
      <group id="g"><primitive id="c" class="ocf" provider="heartbeat" type="Dummy"/></group>
    </resources>
    <constraints><rsc_location id="l1" rsc="a" node="n1" score="100"/></constraints>
  </configuration>
  <status/>
</cib>`;

function preorder(el: XmlElement, out: XmlElement[] = []): XmlElement[] {
  out.push(el);
  for (const c of el.children) preorder(c, out);
  return out;
}

type Edit = [kind: number, target: number, arg: number, word: string];

/** Applies one random edit in place: attributes, text, deletion, insertion, moves, duplication. */
function edit(root: XmlElement, [kind, target, arg, word]: Edit): void {
  const all = preorder(root);
  const el = all[target % all.length];
  const parentOf = (x: XmlElement): XmlElement | undefined => all.find((p) => p.children.includes(x));
  const names = ['primitive', 'nvpair', 'op', 'rule', 'x-unknown'];
  switch (kind % 7) {
    case 0:
      el.attrs = { ...el.attrs, [['id', 'value', 'score', 'name'][arg % 4]]: word };
      break;
    case 1: {
      const keys = Object.keys(el.attrs).filter((k) => el !== root || !['admin_epoch', 'epoch', 'num_updates'].includes(k));
      if (keys.length > 0) {
        const next = { ...el.attrs };
        delete next[keys[arg % keys.length]];
        el.attrs = next;
      }
      break;
    }
    case 2: {
      const parent = parentOf(el);
      if (parent) parent.children.splice(parent.children.indexOf(el), 1);
      break;
    }
    case 3:
      el.children.splice(arg % (el.children.length + 1), 0, element(names[arg % names.length], arg % 2 ? { id: word } : {}));
      break;
    case 4: {
      const parent = parentOf(el);
      if (parent) {
        parent.children.splice(parent.children.indexOf(el), 1);
        parent.children.splice(arg % (parent.children.length + 1), 0, el);
      }
      break;
    }
    case 5:
      if (word === '') delete el.text;
      else el.text = word;
      break;
    case 6: {
      const parent = parentOf(el);
      if (parent) parent.children.splice(arg % (parent.children.length + 1), 0, cloneXml(el));
      break;
    }
  }
}

const editArb = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.string({ maxLength: 6 }));

function checkPatch(a: XmlElement, b: XmlElement): void {
  const before = serializeXml(a);
  const patch = JSON.parse(JSON.stringify(diffCib(a, b))) as ReturnType<typeof diffCib>;
  const result = applyCibPatch(a, patch);
  expect(serializeXml(result)).toBe(serializeXml(b));
  expect(result).toEqual(b);
  expect(serializeXml(a)).toBe(before);
}

describe('CIB versions', () => {
  it('compares admin_epoch, then epoch, then num_updates', () => {
    expect(compareVersions({ adminEpoch: 1, epoch: 0, numUpdates: 0 }, { adminEpoch: 0, epoch: 99, numUpdates: 99 })).toBe(1);
    expect(compareVersions({ adminEpoch: 0, epoch: 3, numUpdates: 0 }, { adminEpoch: 0, epoch: 2, numUpdates: 50 })).toBe(1);
    expect(compareVersions({ adminEpoch: 0, epoch: 3, numUpdates: 4 }, { adminEpoch: 0, epoch: 3, numUpdates: 5 })).toBe(-1);
    expect(compareVersions({ adminEpoch: 0, epoch: 3, numUpdates: 4 }, { adminEpoch: 0, epoch: 3, numUpdates: 4 })).toBe(0);
  });

  it('bumps epoch for a configuration change and num_updates for a status change', () => {
    const base = parseXml(SAMPLE);
    expect(nextVersion(versionOf(base), 'configuration')).toEqual({ adminEpoch: 0, epoch: 6, numUpdates: 0 });
    const config = cloneXml(base);
    config.children[0].children[2].children[0].attrs.type = 'Stateful';
    expect(versionOf(bumpVersion(base, config))).toEqual({ adminEpoch: 0, epoch: 6, numUpdates: 0 });
    const status = cloneXml(base);
    status.children[1].children.push(element('node_state', { id: '1' }));
    expect(versionOf(bumpVersion(base, status))).toEqual({ adminEpoch: 0, epoch: 5, numUpdates: 3 });
    expect(versionOf(bumpVersion(base, cloneXml(base)))).toEqual(versionOf(base));
  });

  it('refuses a version that is not a number, naming the attribute', () => {
    const bad = withVersion(emptyCib(), { adminEpoch: 0, epoch: 1, numUpdates: 0 });
    bad.attrs.epoch = 'x1';
    expect(() => versionOf(bad)).toThrow(/epoch="x1" is not a non-negative integer/);
  });
});

describe('diffCib / applyCibPatch', () => {
  it('a patch for another base version is refused, and the CIB is unchanged', () => {
    const a = parseXml(SAMPLE);
    const b = withVersion(cloneXml(a), { adminEpoch: 0, epoch: 6, numUpdates: 0 });
    b.children[0].children[2].children.splice(1, 1);
    const patch = diffCib(a, b);
    const other = withVersion(a, { adminEpoch: 0, epoch: 4, numUpdates: 0 });
    expect(() => applyCibPatch(other, patch)).toThrow(CibPatchError);
    expect(() => applyCibPatch(other, patch)).toThrow('patch is for CIB version 0.5.2, but this CIB is at 0.4.0');
    expect(serializeXml(applyCibPatch(a, patch))).toBe(serializeXml(b));
  });

  it('a patch whose paths do not fit the tree is refused', () => {
    const a = parseXml(SAMPLE);
    const patch = { format: 1 as const, from: versionOf(a), to: versionOf(a), changes: [{ op: 'delete' as const, path: [0, 9, 9] }] };
    expect(() => applyCibPatch(a, patch)).toThrow(/no element at \/0\/9/);
  });

  it('deleting one resource gives a one-change patch plus the version', () => {
    const a = parseXml(SAMPLE);
    const b = withVersion(cloneXml(a), { adminEpoch: 0, epoch: 6, numUpdates: 0 });
    b.children[0].children[2].children.splice(1, 1);
    const patch = diffCib(a, b);
    expect(patch.changes).toEqual([
      { op: 'attrs', path: [], attrs: b.attrs },
      { op: 'delete', path: [0, 2, 1] },
    ]);
  });

  it('applyCibPatch(a, diffCib(a, b)) is b for random edits of a small CIB', () => {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 12 }), fc.nat({ max: 3 }), (edits, bump) => {
        const a = parseXml(SAMPLE);
        const b = cloneXml(a);
        for (const e of edits) edit(b, e);
        const v = versionOf(a);
        checkPatch(a, withVersion(b, { ...v, epoch: v.epoch + bump }));
      }),
      { numRuns: 300 },
    );
  });

  const corpus = corpusFiles(SCHEDULER_CASES).filter((_, i) => i % 40 === 0);
  it.skipIf(corpus.length === 0)(`applyCibPatch(a, diffCib(a, b)) is b for random edits of corpus CIBs${corpus.length === 0 ? ' (skipped: corpus absent)' : ''}`, () => {
    const trees = corpus.map((f) => parseXml(readFileSync(f, 'utf8'), f));
    fc.assert(
      fc.property(fc.nat(), fc.array(editArb, { minLength: 1, maxLength: 20 }), (pick, edits) => {
        const a = trees[pick % trees.length];
        const b = cloneXml(a);
        for (const e of edits) edit(b, e);
        checkPatch(a, withVersion(b, nextVersion(versionOf(a), 'configuration')));
      }),
      { numRuns: 100 },
    );
  });
});
