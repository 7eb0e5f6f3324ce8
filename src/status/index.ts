export type * from './types.js';
export { clusterStatus, type StatusOptions } from './view.js';
export { renderSimulateStatus, renderSimulateStatusView, CURRENT_TITLE, REVISED_TITLE, type SimulateStatusOptions } from './render-simulate.js';
