/**
 * Cluster status, as crm_simulate and crm_mon print it: a pure function of a
 * CIB (configuration + status section) and, optionally, "now".
 */
export type * from './types.js';
export { clusterStatus, type StatusOptions } from './view.js';
export {
  renderSimulateStatus,
  renderSimulateStatusView,
  executionDateOf,
  CURRENT_TITLE,
  REVISED_TITLE,
  type SimulateStatusOptions,
} from './render-simulate.js';
export { renderCrmMon, failedActionText, type CrmMonOptions } from './render-crm-mon.js';
export { renderCrmMonXml } from './render-crm-mon-xml.js';
