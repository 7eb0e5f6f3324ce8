import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nonexistentDate } from '../../src/cib/dates.js';
import { verifyCib } from '../../src/cib/verify.js';
import { parseXml } from '../../src/cib/xml.js';

const DUMMY = (id: string) => `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"/>`;

/** A clone, a clone of a group, a bundle and a group, with constraints given by the test. */
function cibWith(constraints: string): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/></nodes>
    <resources>
      ${DUMMY('a')}
      <clone id="c">${DUMMY('b')}</clone>
      <clone id="cg"><group id="ig">${DUMMY('ig1')}</group></clone>
      <bundle id="bu"><docker image="x"/><network control-port="3121"/>${DUMMY('bp')}</bundle>
      <group id="g">${DUMMY('g1')}</group>
    </resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status/>
</cib>`;
}

const errors = (constraints: string): string[] => verifyCib(parseXml(cibWith(constraints))).errors.map((e) => e.message);

const INSIDE_CLONES: [string, string][] = [
  ['o1', '<rsc_order id="o1"><resource_set id="o1-s"><resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_order>'],
  ['c1', '<rsc_colocation id="c1" score="INFINITY"><resource_set id="c1-s"><resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_colocation>'],
  ['o5', '<rsc_order id="o5"><resource_set id="o5-s"><resource_ref id="a"/><resource_ref id="ig1"/></resource_set></rsc_order>'],
  ['c2', '<rsc_colocation id="c2" score="INFINITY" rsc="a" with-rsc="b"/>'],
  ['l0', '<rsc_location id="l0" rsc="b" node="n1" score="10"/>'],
  ['o4', '<rsc_order id="o4" first="a" then="bp"/>'],
  ['t1', '<rsc_ticket id="t1" ticket="T" rsc="ig"/>'],
];

describe('verify: constraints naming a resource inside a clone or bundle', () => {
  it.each(INSIDE_CLONES)('%s is an error that names the clone to use instead', (id, xml) => {
    const found = errors(xml);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^rsc_\\w+ ${id}.*: resource '\\w+' is inside (clone|bundle) '(c|cg|bu)'.*name '(c|cg|bu)' instead`));
  });

  it('accepts sets and constraints naming group members, clones and bundles', () => {
    expect(errors('<rsc_order id="ok1"><resource_set id="ok1-s"><resource_ref id="a"/><resource_ref id="g1"/><resource_ref id="c"/></resource_set></rsc_order><rsc_colocation id="ok2" score="10" rsc="bu" with-rsc="cg"/>')).toEqual([]);
  });

  const haveCrmVerify = spawnSync('crm_verify', ['--version'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!haveCrmVerify)('agrees with crm_verify, which ignores each of these constraints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-verify-'));
    try {
      const file = join(dir, 'cib.xml');
      writeFileSync(file, cibWith(INSIDE_CLONES.map(([, xml]) => xml).join('\n')));
      const run = spawnSync('crm_verify', ['-V', '-x', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
      const output = run.stdout + run.stderr;
      for (const [id] of INSIDE_CLONES) expect(output).toContain(`'${id}'`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verify: dates that do not exist', () => {
  const withDate = (start: string): string[] =>
    errors(`<rsc_location id="l" rsc="a"><rule id="l-r" score="INFINITY"><date_expression id="l-d" operation="gt" start="${start}"/></rule></rsc_location>`);

  it.each([
    ['2025-02-30', /30 is not a day of month 2 in 2025 \(max 28\)/],
    ['2023-04-31', /31 is not a day of month 4/],
    ['1900-02-29', /29 is not a day of month 2 in 1900/],
    ['2025-02-03T25:00:00', /25 is not an hour/],
    ['2025-02-03T24:30:00', /24 is not an hour \(00-23, or 24:00:00\)/],
    ['2025-02-03 12:60', /60 is not a minute/],
    ['2024-02-29 23:59:60', /60 is not a second/],
    ['2025-366', /366 is not a day of 2025 \(max 365\)/],
    ['2025-W53-1', /53 is not a week of 2025 \(max 52\)/],
    ['2025-W52-8', /8 is not a day of the week/],
  ])('%s is an error', (date, reason) => {
    const found = withDate(date);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^date_expression l-d: start '.*' does not exist: /);
    expect(found[0]).toMatch(reason);
  });

  it.each(['2024-02-29', '2000-02-29', '2024-366', '2026-W53-4', '2020-W53-7', '2025-02-03T24:00:00', '2025-12-31 23:59:59Z'])('%s exists', (date) => {
    expect(nonexistentDate(date)).toBeUndefined();
    expect(withDate(date)).toEqual([]);
  });
});

describe('verify: ACLs', () => {
  const withAcls = (acls: string): string[] => verifyCib(parseXml(cibWith('').replace('</configuration>', `<acls>${acls}</acls></configuration>`))).errors.map((e) => e.message);

  it('accepts roles and the targets and groups that name them', () => {
    expect(withAcls('<acl_role id="r"><acl_permission id="r-0" kind="read" object-type="primitive" attribute="target-role"/></acl_role><acl_target id="alice"><role id="r"/></acl_target><acl_group id="ops"><role id="r"/></acl_group>')).toEqual([]);
  });

  it('refuses a role reference to something that is not a role, and malformed permissions', () => {
    expect(withAcls('<acl_role id="r"><acl_permission id="p1" kind="grant" xpath="/cib" reference="a"/><acl_permission id="p2" kind="read" attribute="x" xpath="/cib"/></acl_role><acl_target id="alice"><role id="a"/><role id="nope"/></acl_target>')).toEqual([
      "acl_permission p1: kind 'grant' is not read, write or deny",
      'acl_permission p1: needs exactly one of xpath, reference or object-type (has xpath, reference)',
      'acl_permission p2: attribute applies only with object-type',
      "acl_target alice: role 'a' is not an acl_role",
      "acl_target alice: role 'nope' is not an acl_role",
    ]);
  });
});
