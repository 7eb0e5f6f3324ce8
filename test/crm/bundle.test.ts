import { describe, expect, it } from 'vitest';
import { CrmCommitError } from '../../src/crm/errors.js';
import { showConfiguration } from '../../src/crm/show.js';
import { lines, loadConfiguration, recorded, sortedTree, syntaxError, tree } from './recorded.js';

const resources = (text: string) => loadConfiguration(text).children.find((c) => c.name === 'resources');

describe('bundle statements', () => {
  const rec = recorded('bundle');

  it('compile to the XML crmsh commits: container, network with port mappings, storage, the primitive moved in, ids BUNDLE-N', () => {
    expect(tree(loadConfiguration(rec.crm))).toEqual(tree(rec.xml));
  });

  it('show as crmsh shows them, the bundled primitive listed on its own too', () => {
    expect(lines(showConfiguration(loadConfiguration(rec.crm)))).toEqual(lines(rec.show));
  });

  it('read back from show to the same XML, also with the primitive written before meta', () => {
    for (const text of [rec.crm, rec.crm.replace('meta target-role=Started primitive web', 'primitive web meta target-role=Started')]) {
      const first = loadConfiguration(text);
      const shown = showConfiguration(first, [], { obscure: false });
      expect(shown).not.toContain('xml <bundle');
      expect(sortedTree(loadConfiguration(shown))).toEqual(sortedTree(first));
    }
  });

  it('take podman and rkt containers (Pacemaker has them; crmsh 4.4 refuses podman and fails on rkt)', () => {
    const r = resources('bundle b1 podman image=x replicas=2\nbundle b2 rkt image=y');
    expect(r?.children.map((b) => b.children[0].name)).toEqual(['podman', 'rkt']);
  });

  it('refuse a bundled resource that is not a primitive, or is missing', () => {
    expect(() => loadConfiguration('primitive a Dummy\ngroup g a\nbundle b docker image=x primitive g')).toThrow(CrmCommitError);
    expect(() => loadConfiguration('bundle b docker image=x primitive nothere')).toThrow(/bundle b refers to nothere, which does not exist/);
  });

  it.each([
    ['bundle b', /expected a bundle id and its container/],
    ['bundle b network control-port=3121', /expected a container for bundle b \(docker, podman, rkt\)/],
    ['bundle b docker image=x podman image=y', /found "podman", expected one container only/],
    ['bundle b docker image=x storage storage-mapping', /expected NAME=VALUE after storage-mapping/],
    ['bundle b docker image', /found "image", expected NAME=VALUE in docker/],
    ['bundle b docker image=x port-mapping port=80', /found "port-mapping", expected NAME=VALUE in docker/],
    ['bundle b docker image=x network network', /found "network", expected one 'network' only/],
    ['bundle b description=x volume /a', /found "volume", expected docker, podman, rkt, network, storage, meta, primitive/],
  ])('refuse %s with a clear error', (text, message) => {
    expect(syntaxError(text)).toMatch(message);
  });
});
