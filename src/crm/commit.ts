import { verifyCib, type Finding } from '../cib/verify.js';
import { element, serializeXml, type XmlElement } from '../cib/xml.js';
import type { LookupAgent } from './agents.js';
import { checkConfiguration } from './checks.js';
import { CrmCommitError, type Problem } from './errors.js';
import { applyStatements, configurationOf, type LoadMethod } from './load.js';
import { parseCrm } from './parser.js';

export interface LoadOptions {
  method: LoadMethod;
  /** Commit despite agent problems (crm -F): a missing agent, unknown or missing parameters. */
  force: boolean;
  lookupAgent: LookupAgent;
  /** The provider crmsh picks for an ocf agent written without one (heartbeat, else pacemaker, else any). */
  pickProvider(type: string): string;
  /** Names the input in syntax errors. */
  source: string;
}

export interface LoadOutcome {
  cib: XmlElement;
  /** False when the configuration came out identical: nothing needs writing. */
  changed: boolean;
  warnings: Problem[];
  /** Agent problems that --force overrode. */
  forced: Problem[];
}

/**
 * `crm configure load`: parse, apply to the CIB, check, and return the new CIB with its epoch
 * bumped. Throws CrmSyntaxError or CrmCommitError; the input CIB is never modified.
 */
export function loadCrm(cib: XmlElement, text: string, options: LoadOptions): LoadOutcome {
  const statements = parseCrm(text, options.source);
  const { cib: next, touched, notes } = applyStatements(cib, statements, { method: options.method, pickProvider: options.pickProvider });
  const report = checkConfiguration(configurationOf(next), touched, options.lookupAgent);
  const verified = verifyCib(next.name === 'cib' ? next : element('cib', {}, [next]));
  report.errors.push(...verified.errors.map(problem));
  report.warnings.push(...verified.warnings.map(problem), ...notes.map((message) => ({ message })));
  if (report.errors.length > 0 || (report.agentErrors.length > 0 && !options.force)) {
    throw new CrmCommitError([...report.errors, ...report.agentErrors], report.errors.length === 0);
  }
  const changed = serializeXml(configurationOf(next)) !== serializeXml(configurationOf(cib));
  if (changed && next.name === 'cib') {
    next.attrs.epoch = String((Number(next.attrs.epoch) || 0) + 1);
    next.attrs.num_updates = '0';
  }
  return { cib: next, changed, warnings: report.warnings, forced: report.agentErrors };
}

function problem(f: Finding): Problem {
  return f.id === undefined ? { message: f.message } : { message: f.message, id: f.id };
}
