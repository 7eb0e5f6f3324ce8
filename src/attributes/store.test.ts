import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml } from '../cib/xml.js';
import { applyStoreToCib, storeFromCib } from './cib.js';
import { clearFailCount, failCount, failCountEntries, failCountName, promotionScoreName, recordFailure } from './failcount.js';
import { AttributeError, clearTransient, emptyStore, flushPending, getAttribute, nextDue, setAttribute } from './store.js';

const t = (name: string, node = 'n1') => ({ scope: 'transient' as const, node, name });

describe('attribute store', () => {
  it('keeps transient and permanent attributes apart', () => {
    let s = setAttribute(emptyStore(), t('a'), '1');
    s = setAttribute(s, { scope: 'permanent', node: 'n1', name: 'a' }, '2');
    expect(getAttribute(s, t('a'))).toBe('1');
    expect(getAttribute(s, { scope: 'permanent', node: 'n1', name: 'a' })).toBe('2');
    s = clearTransient(s, 'n1');
    expect(getAttribute(s, t('a'))).toBeUndefined();
    expect(getAttribute(s, { scope: 'permanent', node: 'n1', name: 'a' })).toBe('2');
  });

  it('dampens: the delay runs from the first change, later writes replace the value', () => {
    let s = setAttribute(emptyStore(), t('pingd'), '100', { dampenMs: 5000, nowMs: 1000 });
    expect(getAttribute(s, t('pingd'))).toBeUndefined();
    s = setAttribute(s, t('pingd'), '200', { dampenMs: 5000, nowMs: 3000 });
    expect(nextDue(s)).toBe(6000);
    expect(getAttribute(flushPending(s, 5999), t('pingd'))).toBeUndefined();
    const flushed = flushPending(s, 6000);
    expect(getAttribute(flushed, t('pingd'))).toBe('200');
    expect(nextDue(flushed)).toBeUndefined();
  });

  it('expands NAME++ and NAME+=N, saturating at INFINITY', () => {
    let s = setAttribute(emptyStore(), t('c'), 'c++');
    s = setAttribute(s, t('c'), 'c+=5');
    expect(getAttribute(s, t('c'))).toBe('6');
    s = setAttribute(s, t('c'), 'c+=INFINITY');
    expect(getAttribute(s, t('c'))).toBe('INFINITY');
  });

  it('refuses bad names, nodeless node attributes and dampened permanent ones, changing nothing', () => {
    const s = emptyStore();
    expect(() => setAttribute(s, t('bad name'), '1')).toThrow(AttributeError);
    expect(() => setAttribute(s, t('a', ''), '1')).toThrow(/needs a node/);
    expect(() => setAttribute(s, { scope: 'permanent', node: 'n1', name: 'a' }, '1', { dampenMs: 5, nowMs: 0 })).toThrow(/dampened/);
    expect(s).toEqual(emptyStore());
  });
});

describe('fail counts', () => {
  it('counts per operation, sums per resource, shares them among clone instances', () => {
    let s = recordFailure(emptyStore(), { node: 'n1', resource: 'db:1', task: 'monitor', intervalMs: 10000, atSeconds: 100 });
    s = recordFailure(s, { node: 'n1', resource: 'db:0', task: 'monitor', intervalMs: 10000, atSeconds: 200 });
    s = recordFailure(s, { node: 'n1', resource: 'db', task: 'start', intervalMs: 0, atSeconds: 300 });
    expect(getAttribute(s, t('fail-count-db#monitor_10000'))).toBe('2');
    expect(getAttribute(s, t('last-failure-db#monitor_10000'))).toBe('200');
    expect(failCount(s, 'n1', 'db')).toBe(3);
    expect(failCountEntries(s, 'n1', 'db').map((e) => [e.task, e.intervalMs, e.count])).toEqual([['monitor', 10000, 2], ['start', 0, 1]]);
    s = clearFailCount(s, 'n1', 'db', { task: 'start', intervalMs: 0 });
    expect(failCount(s, 'n1', 'db')).toBe(2);
    s = clearFailCount(s, 'n1', 'db');
    expect(failCount(s, 'n1', 'db')).toBe(0);
    expect(getAttribute(s, t('last-failure-db#monitor_10000'))).toBeUndefined();
  });

  it('makes a fatal start failure INFINITY at once', () => {
    const s = recordFailure(emptyStore(), { node: 'n1', resource: 'web', task: 'start', intervalMs: 0, atSeconds: 1, fatal: true });
    expect(failCount(s, 'n1', 'web')).toBe(1_000_000);
    expect(failCountName('web', 'start', 0)).toBe('fail-count-web#start_0');
    expect(promotionScoreName('ms-db:2')).toBe('master-ms-db');
  });
});

describe('attributes in a CIB', () => {
  const cib = parseXml(`<cib><configuration><crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="n1"><instance_attributes id="nodes-1"><nvpair id="nodes-1-site" name="site" value="a"/></instance_attributes></node><node id="2" uname="n2"/></nodes><resources/><constraints/></configuration>
<status><node_state id="1" uname="n1"><transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="status-1-master-db" name="master-db" value="5"/></instance_attributes></transient_attributes></node_state></status></cib>`);

  it('reads every section', () => {
    const s = storeFromCib(cib);
    expect(getAttribute(s, { scope: 'permanent', node: 'n1', name: 'site' })).toBe('a');
    expect(getAttribute(s, t('master-db'))).toBe('5');
    expect(getAttribute(s, { scope: 'cluster', node: '', name: 'stonith-enabled' })).toBe('false');
  });

  it('writes only what changed, in the sets Pacemaker uses', () => {
    const before = storeFromCib(cib);
    let after = setAttribute(before, t('master-db'), '10');
    after = setAttribute(after, t('fail-count-x#start_0', 'n2'), '1');
    after = setAttribute(after, { scope: 'permanent', node: 'n1', name: 'site' }, undefined);
    const out = applyStoreToCib(cib, before, after);
    expect(storeFromCib(out).values).toEqual(after.values);
    const xml = serializeXml(out);
    expect(xml).toContain('<nvpair id="status-1-master-db" name="master-db" value="10"/>');
    expect(xml).toContain('<instance_attributes id="status-2">');
    expect(xml).toContain('<nvpair id="o1" name="stonith-enabled" value="false"/>');
    expect(() => applyStoreToCib(cib, before, setAttribute(before, t('x', 'ghost'), '1'))).toThrow(/node 'ghost' is not in the CIB/);
  });
});

describe('attribute service (the daemon shell)', () => {
  it('commits a dampened value when its delay ends, and reports it once', async () => {
    const { vi } = await import('vitest');
    const { AttributeService } = await import('./io/service.js');
    vi.useFakeTimers();
    try {
      let now = 0;
      const seen: unknown[] = [];
      const svc = new AttributeService({ now: () => now, onChange: (c) => seen.push(...c) });
      svc.set(t('pingd'), '100', { dampenMs: 5000 });
      svc.set(t('pingd'), '0', { dampenMs: 5000 });
      expect(svc.get(t('pingd'))).toBeUndefined();
      expect(seen).toEqual([]);
      now = 5000;
      vi.advanceTimersByTime(5000);
      expect(svc.get(t('pingd'))).toBe('0');
      expect(seen).toEqual([{ ref: t('pingd'), value: '0' }]);
      svc.apply((s) => recordFailure(s, { node: 'n1', resource: 'web', task: 'start', intervalMs: 0, atSeconds: 5 }));
      expect(seen).toHaveLength(3);
      svc.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('attribute service sharing its file with the helper commands', () => {
  it('takes in and reports what a helper wrote', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { AttributeService } = await import('./io/service.js');
    const { updateStoreFile } = await import('./io/file-store.js');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-attrsvc-'));
    try {
      const seen: unknown[] = [];
      const svc = new AttributeService({ stateDir: dir, onChange: (c) => seen.push(...c) });
      svc.set(t('a'), '1');
      updateStoreFile(dir, Date.now(), (s) => setAttribute(s, t('master-db'), '10'));
      expect(svc.get(t('master-db'))).toBeUndefined();
      svc.refresh();
      expect(svc.get(t('master-db'))).toBe('10');
      expect(seen).toEqual([{ ref: t('a'), value: '1' }, { ref: t('master-db'), value: '10' }]);
      svc.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
