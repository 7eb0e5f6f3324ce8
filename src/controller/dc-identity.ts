import type { XmlElement } from '../cib/xml.js';
import { editAt } from './cib-tree.js';

/**
 * The CIB with the DC's identity in cib-bootstrap-options, as Pacemaker's DC records it:
 * `cluster-infrastructure` (the "Stack:" of crm_mon) and `dc-version`. vigild stamps them at
 * membership changes, but a later replace of crm_config drops them until the next one; the
 * controller's merged CIB restores them so status never shows "unknown".
 */
export function withDcIdentity(cib: XmlElement, dcVersion: string): XmlElement {
  const wanted: [string, string][] = [
    ['dc-version', dcVersion],
    ['cluster-infrastructure', 'vigil'],
  ];
  const path = [{ name: 'configuration' }, { name: 'crm_config' }, { name: 'cluster_property_set', id: 'cib-bootstrap-options' }];
  const current = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'crm_config')?.children.find((c) => c.name === 'cluster_property_set' && c.attrs.id === 'cib-bootstrap-options');
  const has = (name: string, value: string): boolean => current?.children.some((p) => p.name === 'nvpair' && p.attrs.name === name && p.attrs.value === value) === true;
  if (wanted.every(([n, v]) => has(n, v))) return cib;
  return editAt(cib, path, (set) => {
    const children = set.children.filter((p) => !(p.name === 'nvpair' && wanted.some(([n]) => n === p.attrs.name)));
    const pairs = wanted.map(([name, value]): XmlElement => ({ name: 'nvpair', attrs: { id: `cib-bootstrap-options-${name}`, name, value }, children: [] }));
    return { ...set, children: [...pairs, ...children] };
  });
}
