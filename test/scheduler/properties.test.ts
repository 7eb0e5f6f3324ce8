import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { executeGraph, injectResults, schedule } from '../../src/scheduler/index.js';

// Random small clusters: a few nodes, a few primitives, random location scores (including
// -INFINITY), colocations, orderings and a random "currently running" history.
const SCORES = ['-INFINITY', '-100', '0', '50', '100', 'INFINITY'];

const cibArb = fc
  .record({
    nodes: fc.integer({ min: 1, max: 4 }),
    rscs: fc.integer({ min: 1, max: 5 }),
    online: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    locations: fc.array(fc.record({ r: fc.nat(4), n: fc.nat(3), s: fc.constantFrom(...SCORES) }), { maxLength: 6 }),
    colocations: fc.array(fc.record({ a: fc.nat(4), b: fc.nat(4), s: fc.constantFrom(...SCORES) }), { maxLength: 3 }),
    orders: fc.array(fc.record({ a: fc.nat(4), b: fc.nat(4) }), { maxLength: 3 }),
    running: fc.array(fc.record({ r: fc.nat(4), n: fc.nat(3) }), { maxLength: 5 }),
    stickiness: fc.constantFrom('0', '100', 'INFINITY'),
  })
  .map((spec) => {
    const nodes = Array.from({ length: spec.nodes }, (_, i) => `n${i + 1}`);
    const rscs = Array.from({ length: spec.rscs }, (_, i) => `r${i + 1}`);
    const loc = spec.locations
      .filter((l) => l.r < rscs.length && l.n < nodes.length)
      .map((l, i) => `<rsc_location id="l${i}" rsc="${rscs[l.r]}" node="${nodes[l.n]}" score="${l.s}"/>`);
    const col = spec.colocations
      .filter((c) => c.a < rscs.length && c.b < rscs.length && c.a !== c.b)
      .map((c, i) => `<rsc_colocation id="c${i}" rsc="${rscs[c.a]}" with-rsc="${rscs[c.b]}" score="${c.s}"/>`);
    const ord = spec.orders
      .filter((o) => o.a < rscs.length && o.b < rscs.length && o.a !== o.b)
      .map((o, i) => `<rsc_order id="o${i}" first="${rscs[o.a]}" then="${rscs[o.b]}"/>`);
    let call = 10;
    const states = nodes.map((n, i) => {
      const online = spec.online[i];
      const here = [...new Set(spec.running.filter((r) => r.r < rscs.length && r.n === i).map((r) => r.r))];
      const ops = here
        .map((r) => ({ r }))
        .map((r) => `<lrm_resource id="${rscs[r.r]}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="${rscs[r.r]}_last_0" operation="start" call-id="${call++}" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x" on_node="${n}"/></lrm_resource>`)
        .join('');
      const attrs = online ? 'in_ccm="true" crmd="online" join="member" expected="member"' : 'in_ccm="false" crmd="offline" join="down" expected="down"';
      return `<node_state id="${i + 1}" uname="${n}" ${attrs}><lrm id="${i + 1}"><lrm_resources>${ops}</lrm_resources></lrm></node_state>`;
    });
    return `<cib have-quorum="1" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes>${nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join('')}</nodes>
<resources>${rscs.map((r) => `<primitive id="${r}" class="ocf" provider="heartbeat" type="Dummy"/>`).join('')}</resources>
<constraints>${[...loc, ...col, ...ord].join('')}</constraints>
<rsc_defaults><meta_attributes id="d"><nvpair id="d1" name="resource-stickiness" value="${spec.stickiness}"/></meta_attributes></rsc_defaults>
</configuration><status>${states.join('')}</status></cib>`;
  });

describe('scheduler properties on random small CIBs', () => {
  it('places a primitive on at most one node, never on a node scored -INFINITY', () => {
    fc.assert(
      fc.property(cibArb, (xml) => {
        const result = schedule(parseXml(xml), { now: 1_700_000_000, detail: true });
        for (const [id, p] of Object.entries(result.placements)) {
          if (p.node === null) continue;
          expect(result.scores[id]?.[p.node]).toBeGreaterThan(-1_000_000);
          const starts = result.graph.actions.filter((a) => a.kind === 'resource' && a.task === 'start' && a.resource.id === id);
          expect(starts.length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same output for the same input', () => {
    fc.assert(
      fc.property(cibArb, (xml) => {
        const a = schedule(parseXml(xml), { now: 1_700_000_000 });
        const b = schedule(parseXml(xml), { now: 1_700_000_000 });
        expect(b.summary).toEqual(a.summary);
        expect(b.graph).toEqual(a.graph);
        expect(b.placements).toEqual(a.placements);
      }),
      { numRuns: 200 },
    );
  });

  it('after the transition runs, no primitive is active on two nodes', () => {
    fc.assert(
      fc.property(cibArb, (xml) => {
        const cib = parseXml(xml);
        const result = schedule(cib, { now: 1_700_000_000 });
        const revised = injectResults(cib, executeGraph(result.graph));
        const activeOn = new Map<string, Set<string>>();
        const status = revised.children.find((c) => c.name === 'status');
        for (const ns of status?.children ?? []) {
          if (ns.attrs.crmd !== 'online') continue;
          for (const lrm of ns.children.find((c) => c.name === 'lrm')?.children.find((c) => c.name === 'lrm_resources')?.children ?? []) {
            const ops = lrm.children.filter((o) => o.attrs.interval === '0').sort((x, y) => Number(x.attrs['call-id']) - Number(y.attrs['call-id']));
            const last = ops[ops.length - 1];
            const id = lrm.attrs.id ?? '';
            if (last && last.attrs.operation === 'start') activeOn.set(id, new Set([...(activeOn.get(id) ?? []), ns.attrs.uname ?? '']));
          }
        }
        for (const nodes of activeOn.values()) expect(nodes.size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });
});
