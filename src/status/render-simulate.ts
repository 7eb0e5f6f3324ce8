import type { XmlElement } from '../cib/xml.js';
import { nodeListLines, resourceListLines } from './render-text.js';
import type { ClusterStatusView } from './types.js';
import { clusterStatus } from './view.js';

export interface SimulateStatusOptions {
  /** "Now" in epoch milliseconds (decides which failures have expired). */
  readonly now?: number;
  /** Section heading, without the colon. */
  readonly title?: string;
  /**
   * Print the lines crm_simulate puts before the current status (the
   * maintenance-mode banner and the DISABLED/BLOCKED count). Defaults to true
   * for the default title and false otherwise, as crm_simulate prints them
   * only before "Current cluster status".
   */
  readonly preamble?: boolean;
}

export const CURRENT_TITLE = 'Current cluster status';
export const REVISED_TITLE = 'Revised Cluster Status';

/**
 * What `crm_simulate -S` (Pacemaker 2.1.5) prints for a CIB's status: the
 * heading, `* Node List:` and `* Full List of Resources:`. The text ends
 * with a newline after the last resource line; the caller separates it from
 * the next section with one blank line.
 */
export function renderSimulateStatus(cib: XmlElement, options: SimulateStatusOptions = {}): string {
  return renderSimulateStatusView(clusterStatus(cib, options.now !== undefined ? { now: options.now } : {}), options);
}

export function renderSimulateStatusView(view: ClusterStatusView, options: SimulateStatusOptions = {}): string {
  const title = options.title ?? CURRENT_TITLE;
  const preamble = options.preamble ?? title === CURRENT_TITLE;
  const out: string[] = [];
  if (preamble) out.push(...preambleLines(view));
  out.push(`${title}:`, '  * Node List:', ...nodeListLines(view, 4), '');
  out.push('  * Full List of Resources:');
  const resources = resourceListLines(view, 4, { showPending: true, showInactive: true });
  out.push(...(resources.length > 0 ? resources : ['    * No resources']));
  return `${out.join('\n')}\n`;
}

function preambleLines(view: ClusterStatusView): string[] {
  const lines: string[] = [];
  const s = view.summary;
  if (s.maintenanceMode) {
    lines.push('', '              *** Resource management is DISABLED ***', '  The cluster will not attempt to start, stop or recover services', '');
  }
  if (s.disabledInstances > 0 || s.blockedInstances > 0) {
    lines.push(
      `${s.disabledInstances} of ${s.resourceInstancesConfigured} resource instances DISABLED and ${s.blockedInstances} BLOCKED from further action due to failure`,
      '',
    );
  }
  return lines;
}
