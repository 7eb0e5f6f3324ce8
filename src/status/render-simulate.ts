import type { XmlElement } from '../cib/xml.js';
import { isoUtc } from '../cib/dates.js';
import { nodeListLines, resourceListLines } from './render-text.js';
import type { ClusterStatusView } from './types.js';
import { clusterStatus } from './view.js';

export interface SimulateStatusOptions {
  /**
   * The date given with crm_simulate's `-t`, in epoch milliseconds. Without
   * it, the CIB's `execution-date` is used (and announced, as crm_simulate
   * does), else `clock`.
   */
  readonly now?: number;
  /** The caller's current time in epoch milliseconds, used when neither `now` nor an execution date is known. */
  readonly clock?: number;
  /** Section heading, without the colon. */
  readonly title?: string;
  /**
   * Print the lines crm_simulate puts before the current status (the
   * maintenance-mode banner and the DISABLED/BLOCKED count). Defaults to true
   * for the default title and false otherwise, as crm_simulate prints them
   * only before "Current cluster status".
   */
  readonly preamble?: boolean;
  /**
   * Show in-flight actions (Starting, Monitoring ...). crm_simulate shows them in the current
   * status only: the revised status is printed without them. Defaults like `preamble`.
   */
  readonly showPending?: boolean;
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
  const executionDate = options.now === undefined ? executionDateOf(cib) : undefined;
  const now = options.now ?? executionDate ?? options.clock;
  const view = clusterStatus(cib, now !== undefined ? { now } : {});
  const title = options.title ?? CURRENT_TITLE;
  const preamble = options.preamble ?? title === CURRENT_TITLE;
  const first: string[] = [];
  if (preamble && executionDate !== undefined) first.push(`Using the original execution date of: ${isoUtc(executionDate / 1000)}`);
  if (preamble && cib.attrs['validate-with'] === 'none') {
    first.push('Schema validation of configuration is disabled (enabling is encouraged and prevents common misconfigurations)');
  }
  const rest = renderSimulateStatusView(view, options);
  return first.length > 0 ? `${first.join('\n')}\n${rest}` : rest;
}

/** The CIB's `execution-date` (epoch seconds) in milliseconds, if present and readable. */
export function executionDateOf(cib: XmlElement): number | undefined {
  const v = cib.attrs['execution-date'];
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim()) * 1000;
}

/** Like renderSimulateStatus, from a view already built; prints no line about dates or schema validation. */
export function renderSimulateStatusView(view: ClusterStatusView, options: SimulateStatusOptions = {}): string {
  const title = options.title ?? CURRENT_TITLE;
  const preamble = options.preamble ?? title === CURRENT_TITLE;
  const out: string[] = [];
  if (preamble) out.push(...preambleLines(view));
  out.push(`${title}:`, '  * Node List:', ...nodeListLines(view, 4), '');
  out.push('  * Full List of Resources:');
  const resources = resourceListLines(view, 4, { showPending: options.showPending ?? title === CURRENT_TITLE, showInactive: true });
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
