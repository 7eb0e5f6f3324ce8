import { describe, expect, it } from 'vitest';
import { collapseAclXpath, expandAclShortcut } from '../../src/crm/acl.js';
import { showConfiguration } from '../../src/crm/show.js';
import { lines, loadConfiguration, recorded, sortedTree, syntaxError, tree } from './recorded.js';

const acls = (text: string) => loadConfiguration(text).children.find((c) => c.name === 'acls');

describe('ACL statements', () => {
  const rec = recorded('acl');

  it('compile to the <acls> crmsh commits: roles, then targets and groups, permission ids ROLE-N', () => {
    expect(tree(loadConfiguration(rec.crm))).toEqual(tree(rec.xml));
  });

  it('show as crmsh shows them (shortcut xpaths folded back, attr before type)', () => {
    expect(lines(showConfiguration(loadConfiguration(rec.crm)))).toEqual(lines(rec.show));
  });

  it('read back from show to the same XML', () => {
    const first = loadConfiguration(rec.crm);
    expect(sortedTree(loadConfiguration(showConfiguration(first, [], { obscure: false })))).toEqual(sortedTree(first));
  });

  it('split a permission with several specs into one element each, in xpath, reference, object-type order', () => {
    const role = acls('role r read tag:primitive ref:d1 xpath:/cib')?.children[0];
    expect(role?.children.map((p) => Object.keys(p.attrs).filter((k) => k !== 'kind' && k !== 'id'))).toEqual([['xpath'], ['reference'], ['object-type']]);
    expect(role?.children.map((p) => p.attrs.id)).toEqual(['r-0', 'r-1', 'r-2']);
  });

  it('keep an explicit permission id and description', () => {
    const perm = acls('role r write $id=p1 description="all nodes" tag:nodes')?.children[0].children[0];
    expect(perm?.attrs).toEqual({ kind: 'write', 'object-type': 'nodes', id: 'p1', description: 'all nodes' });
  });

  it('read the older user statement as an acl_target with role:ID references', () => {
    const target = acls('role r read xpath:/cib\nuser bob role:r')?.children[1];
    expect(tree(target as never)).toEqual({ n: 'acl_target', a: [['id', 'bob']], c: [{ n: 'role', a: [['id', 'r']], c: [] }] });
  });

  it.each([
    ['role r', /expected a role id|found end of line/],
    ['role r read', /found end of line, expected what read applies to/],
    ['role r grant xpath:/cib', /found "grant", expected read, write or deny/],
    ['role r read attr:target-role', /expected tag:TYPE with attribute:/],
    ['role r read ref:a ref:b', /found "ref:b", expected one reference per permission/],
    ['role r read $id=p ref:a tag:b', /expected one spec for a permission with an id/],
    ['role r read meta', /meta: needs an argument/],
    ['role r read meta:a:b:c', /too many or empty arguments for the meta shortcut/],
    ['acl_target alice', /found end of line, expected an id and at least one role after acl_target/],
    ['acl_group ops r r', /expected role r only once/],
    ['user bob read xpath:/cib', /rules written on a user are not supported/],
  ])('refuse %s with a clear error', (text, message) => {
    expect(syntaxError(text)).toMatch(message);
  });

  it('expand shortcuts and fold them back', () => {
    const cases: [string, string | undefined, string][] = [
      ['meta', 'd1:target-role', "//primitive[@id='d1']/meta_attributes/nvpair[@name='target-role']"],
      ['params', 'd1', "//primitive[@id='d1']/instance_attributes"],
      ['location', 'web', "//rsc_location[@id='cli-prefer-web' and @rsc='web']"],
      ['node', 'n1', "//nodes/node[@uname='n1']"],
      ['status', undefined, '/cib/status'],
    ];
    for (const [name, value, xpath] of cases) {
      expect(expandAclShortcut(name, value)).toEqual({ xpath });
      expect(collapseAclXpath(xpath)).toBe(value === undefined ? name : `${name}:${value}`);
    }
    expect(collapseAclXpath('//resources/primitive')).toBeUndefined();
  });
});

describe('ACL show', () => {
  it('keeps a permission id the writer chose, and leaves generated ones out', () => {
    const text = 'role r write $id=p1 description="all nodes" tag:nodes read xpath:/cib/configuration read xpath:/cib';
    const shown = showConfiguration(loadConfiguration(text));
    expect(shown).toBe('role r \\\n\twrite $id=p1 description="all nodes" type:nodes \\\n\tread xpath:"/cib/configuration" \\\n\tread cib\n');
    expect(tree(loadConfiguration(shown))).toEqual(tree(loadConfiguration(text)));
  });
});
