import { element, type XmlElement } from './xml.js';

/** What `cibadmin --empty` gives: a new CIB with epoch 1 and every section present but empty. */
export function emptyCib(): XmlElement {
  return element(
    'cib',
    { crm_feature_set: '3.16.1', 'validate-with': 'pacemaker-3.9', epoch: '1', num_updates: '0', admin_epoch: '0' },
    [
      element('configuration', {}, [
        element('crm_config'),
        element('nodes'),
        element('resources'),
        element('constraints'),
      ]),
      element('status'),
    ],
  );
}
