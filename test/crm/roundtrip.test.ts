import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyCib } from '../../src/cib/empty.js';
import { serializeXml, type XmlElement } from '../../src/cib/xml.js';
import { applyStatements, configurationOf } from '../../src/crm/load.js';
import { parseCrm } from '../../src/crm/parser.js';
import { showConfiguration } from '../../src/crm/show.js';

/** Random configurations in the language: resources, containers, constraints with sets and rules. */
const name = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const value = fc.oneof(fc.constantFrom('1', 'x', '/srv/data', 'two words', 'a"quote', '-D FOO', '10s', ''), fc.stringMatching(/^[a-z0-9_.:/-]{1,8}$/));
const pairs = fc.uniqueArray(fc.tuple(fc.constantFrom('fake', 'state', 'op_sleep', 'passwd', 'envfile'), value), { selector: (p) => p[0], minLength: 1, maxLength: 3 });
const quote = (v: string): string => `"${v.replace(/(["\\])/g, '\\$1')}"`;
const nv = (ps: [string, string][]): string => ps.map(([k, v]) => `${k}=${quote(v)}`).join(' ');
const op = fc.record({ name: fc.constantFrom('monitor', 'start', 'stop'), interval: fc.constantFrom('0', '10s', '1min'), timeout: fc.option(fc.constantFrom('20s', '30')), depth: fc.option(fc.constantFrom('10', '20')) });
const primitive = (id: string) =>
  fc.record({ params: fc.option(pairs), meta: fc.option(fc.constantFrom('target-role=Started', 'priority=3 resource-stickiness=INFINITY')), ops: fc.uniqueArray(op, { selector: (o) => `${o.name}-${o.interval}`, maxLength: 3 }) }).map(
    (p) =>
      [`primitive ${id} Dummy`, p.params ? `params ${nv(p.params)}` : '', p.meta ? `meta ${p.meta}` : '', ...p.ops.map((o) => `op ${o.name} interval=${o.interval}${o.timeout ? ` timeout=${o.timeout}` : ''}${o.depth ? ` OCF_CHECK_LEVEL=${o.depth}` : ''}`)]
        .filter(Boolean)
        .join(' \\\n  '),
  );
const score = fc.constantFrom('inf', '-inf', '100', '-5', '0', 'INFINITY', '+inf');
const ref = fc.tuple(name, fc.option(fc.constantFrom('Started', 'Promoted', 'Stopped'))).map(([n, r]) => (r ? `${n}:${r}` : n));
const setTokens = fc.array(fc.oneof({ weight: 3, arbitrary: ref }, { weight: 1, arbitrary: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }).chain((ms) => fc.constantFrom(`( ${ms.join(' ')} )`, `[ ${ms.join(' ')} ]`)) }), { minLength: 3, maxLength: 5 });
const expr = fc.oneof(
  fc.tuple(fc.constantFrom('#uname', 'site', 'rack'), fc.constantFrom('eq', 'ne', 'number:gt', 'version:lte'), fc.constantFrom('node1', '5', 'east')).map(([a, o, v]) => `${a} ${o} ${v}`),
  fc.tuple(fc.constantFrom('defined', 'not_defined'), fc.constantFrom('pingd', 'site')).map(([o, a]) => `${o} ${a}`),
  fc.constantFrom('date lt 2025-06-30T12:00:00', 'date gt 2024-01-01', 'date in start=2025-01-01 end=2025-12-31', 'date in start=2025-01-01 months=2', 'date spec hours=9-17 weekdays=1-5'),
);
const rule = fc.tuple(fc.option(fc.constantFrom('$role=Started ', '$role=Promoted ')), fc.option(score), fc.array(expr, { minLength: 1, maxLength: 3 }), fc.constantFrom('and', 'or')).map(
  ([role, s, es, op]) => `rule ${role ?? ''}${s ? `${s}: ` : ''}${es.join(` ${op} `)}`,
);
const constraint = (i: number) =>
  fc.oneof(
    fc.tuple(name, score, fc.constantFrom('node1', 'node2')).map(([r, s, n]) => `location loc${i} ${r} ${s}: ${n}`),
    fc.tuple(name, fc.array(rule, { minLength: 1, maxLength: 2 })).map(([r, rs]) => `location loc${i} ${r} ${rs.join(' ')}`),
    fc.tuple(score, ref, ref).map(([s, x, y]) => `colocation col${i} ${s}: ${x} ${y}`),
    fc.tuple(score, setTokens).map(([s, t]) => `colocation col${i} ${s}: ${t.join(' ')}`),
    fc.tuple(fc.constantFrom('Mandatory:', 'Optional:', 'Serialize:', ''), setTokens.map((t) => t.map((x) => x.replace(/:(Started|Promoted|Stopped)/, ':start')))).map(([k, t]) => `order ord${i} ${k} ${t.join(' ')}`),
    fc.tuple(ref, fc.constantFrom('', ' loss-policy=stop', ' loss-policy=freeze')).map(([r, lp]) => `rsc_ticket tk${i} ticket${i}: ${r}${lp}`),
  );
const configuration = fc
  .tuple(
    fc.tuple(primitive('a'), primitive('b'), primitive('c'), primitive('d'), primitive('e')),
    fc.constantFrom('', 'group g a b', 'group g a b meta target-role=Stopped', 'clone cl c meta interleave=true', 'ms ms1 d'),
    fc.array(fc.nat(), { maxLength: 4 }).chain((xs) => fc.tuple(...xs.map((_, i) => constraint(i)))),
    fc.constantFrom('', 'rsc_defaults resource-stickiness=100', 'op_defaults timeout=40s', 'tag t1 a b'),
  )
  .map(([prims, container, constraints, extra]) => ['property stonith-enabled=false no-quorum-policy=ignore', ...prims, container, ...constraints, extra].filter(Boolean).join('\n') + '\n');

const load = (text: string): XmlElement => configurationOf(applyStatements(emptyCib(), parseCrm(text, 'gen.crm'), { method: 'update', pickProvider: () => 'heartbeat' }).cib);

function withoutSubIds(el: XmlElement, depth = 0): unknown {
  const keepId = depth <= 2 || ['resource_ref', 'obj_ref', 'primitive', 'group', 'clone', 'master'].includes(el.name);
  const children = el.children.map((c) => ({ key: `${c.name}#${c.attrs.id ?? ''}`, shape: withoutSubIds(c, depth + 1) }));
  if (depth === 1) children.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { n: el.name, a: Object.entries(el.attrs).filter(([k]) => keepId || k !== 'id').sort(), c: children.map((c) => c.shape) };
}

describe('parse → print → parse on generated configurations', () => {
  it('reads back the same XML, and printing again changes nothing', () => {
    fc.assert(
      fc.property(configuration, (text) => {
        const first = load(text);
        const printed = showConfiguration(first, [], { obscure: false });
        const second = load(printed);
        expect(withoutSubIds(second)).toEqual(withoutSubIds(first));
        expect(showConfiguration(second, [], { obscure: false })).toBe(printed);
        expect(serializeXml(load(showConfiguration(second, [], { obscure: false })))).toBe(serializeXml(second));
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
