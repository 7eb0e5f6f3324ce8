import { ctimeUtc } from '../cib/dates.js';
import { parseOpKey, readableInterval } from './op-text.js';
import { nodeListLines, resourceListLines } from './render-text.js';
import type { ClusterStatusView, FailedActionView, FencingEventView } from './types.js';

/**
 * What `crm_mon -1` prints: Cluster Summary, Node List, the resources,
 * Failed Resource Actions and, when the CIB carries any, the fencing
 * history. Dates are printed in UTC.
 */

export interface CrmMonOptions {
  /** ANSI colour for a terminal. */
  readonly colour: boolean;
  /** List inactive resources too ("Full List of Resources", crm_mon -r). Default true. */
  readonly showInactive?: boolean;
  /** Show in-flight actions (crm_mon --pending). Default true. */
  readonly showPending?: boolean;
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;

function paint(text: string, colour: keyof typeof ANSI, on: boolean): string {
  return on ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

/** Colour the words that matter in a status line: failures red, degraded states yellow, healthy green. */
function colourLine(line: string, on: boolean): string {
  if (!on) return line;
  return line
    .replace(/\b(FAILED|UNCLEAN \((?:online|offline|pending)\)|OFFLINE|ORPHANED|blocked)\b/g, (m) => paint(m, 'red', true))
    .replace(/\b(standby(?: \(with active resources\))?|maintenance|pending|unmanaged|disabled|Stopped)\b/g, (m) => paint(m, 'yellow', true))
    .replace(/\b(Online|Started|Promoted|RemoteOnline|GuestOnline)\b/g, (m) => paint(m, 'green', true));
}

function heading(text: string, on: boolean): string {
  return paint(text, 'bold', on);
}

export function summaryLines(view: ClusterStatusView): string[] {
  const s = view.summary;
  const lines: string[] = [];
  lines.push(`  * Stack: ${s.stack ?? 'unknown'}`);
  if (s.dcName !== undefined) {
    lines.push(`  * Current DC: ${s.dcName} (version ${s.dcVersion ?? 'unknown'}) - partition ${s.haveQuorum ? 'with' : 'WITHOUT'} quorum`);
  } else {
    lines.push('  * Current DC: NONE');
  }
  if (s.lastUpdated !== undefined) lines.push(`  * Last updated: ${ctimeUtc(s.lastUpdated / 1000)}`);
  {
    const c = s.lastChange ?? {};
    const parts = [`  * Last change:  ${c.when ?? ''}`];
    if (c.user !== undefined) parts.push(`by ${c.user}`);
    if (c.client !== undefined) parts.push(`via ${c.client}`);
    if (c.origin !== undefined) parts.push(`on ${c.origin}`);
    lines.push(parts.join(' '));
  }
  const n = s.nodesConfigured;
  lines.push(`  * ${n} node${n === 1 ? '' : 's'} configured`);
  const r = s.resourceInstancesConfigured;
  let instances = `  * ${r} resource instance${r === 1 ? '' : 's'} configured`;
  if (s.disabledInstances > 0 && s.blockedInstances > 0) {
    instances += ` (${s.disabledInstances} DISABLED, ${s.blockedInstances} BLOCKED from further action due to failure)`;
  } else if (s.disabledInstances > 0) {
    instances += ` (${s.disabledInstances} DISABLED)`;
  } else if (s.blockedInstances > 0) {
    instances += ` (${s.blockedInstances} BLOCKED from further action due to failure)`;
  }
  lines.push(instances);
  return lines;
}

export function isMaskedProbeFailure(f: FailedActionView): boolean {
  return f.task === 'monitor' && f.intervalMs === 0 && (f.rc === 5 || f.rc === 2 || f.status === 7);
}

/** One failed action, as crm_mon words it by default. */
export function failedActionText(f: FailedActionView): string {
  const action = f.task === 'monitor' && f.intervalMs === 0 ? 'probe' : f.task;
  const interval = f.intervalMs !== 0 ? `${readableInterval(f.intervalMs)}-interval ` : '';
  const rsc = parseOpKey(f.operationKey)?.rsc ?? f.resource;
  let s = `${rsc} ${interval}${action} on ${f.node}`;
  if (f.status === 0) {
    s += ` returned '${f.rcText}'`;
    if (f.exitReason !== undefined) s += ` (${f.exitReason})`;
  } else {
    s += ` could not be executed (${f.statusText}${f.exitReason !== undefined ? `: ${f.exitReason}` : ''})`;
  }
  if (f.lastRcChange !== undefined) s += ` at ${ctimeUtc(f.lastRcChange)}`;
  if (f.execTimeMs !== undefined && f.execTimeMs > 0) s += ` after ${readableInterval(f.execTimeMs)}`;
  return s;
}

function fencingText(e: FencingEventView): string {
  const when = e.completed !== undefined ? `, completed='${ctimeUtc(e.completed)}'` : '';
  const who = [e.delegate !== undefined ? `delegate=${e.delegate}` : undefined, e.origin !== undefined ? `origin=${e.origin}` : undefined]
    .filter((x) => x !== undefined)
    .join(', ');
  return `${e.action} of ${e.target} ${e.state}${who ? `: ${who}` : ''}${when}`;
}

export function renderCrmMon(view: ClusterStatusView, options: CrmMonOptions): string {
  const on = options.colour;
  const showInactive = options.showInactive ?? true;
  const out: string[] = [heading('Cluster Summary:', on), ...summaryLines(view)];
  if (view.summary.maintenanceMode) {
    out.push('', paint('              *** Resource management is DISABLED ***', 'red', on), '  The cluster will not attempt to start, stop or recover services');
  } else if (view.summary.stopAllResources) {
    out.push('', paint('    *** Resource management is DISABLED ***', 'red', on), '  The cluster will keep all resources stopped');
  }
  out.push('', heading('Node List:', on), ...nodeListLines(view, 2).map((l) => colourLine(l, on)));
  const resources = resourceListLines(view, 2, { showPending: options.showPending ?? true, showInactive });
  out.push('', heading(showInactive ? 'Full List of Resources:' : 'Active Resources:', on));
  if (resources.length === 0) out.push(showInactive ? '  * No resources' : '  * No active resources');
  else out.push(...resources.map((l) => colourLine(l, on)));
  // Probes that only found the agent missing are part of the resource's state, not failures to report.
  const failures = view.failures.filter((f) => !isMaskedProbeFailure(f));
  if (failures.length > 0) {
    out.push('', heading('Failed Resource Actions:', on), ...failures.map((f) => colourLine(`  * ${failedActionText(f)}`, on)));
  }
  if (view.fencing.length > 0) {
    out.push('', heading('Fencing History:', on), ...view.fencing.map((e) => `  * ${fencingText(e)}`));
  }
  return `${out.join('\n')}\n`;
}
