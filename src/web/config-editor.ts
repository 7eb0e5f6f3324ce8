import type { XmlElement } from '../cib/xml.js';
import { loadCrm } from '../crm/commit.js';
import { CrmCommitError, CrmSyntaxError } from '../crm/errors.js';
import type { LookupAgent } from '../crm/agents.js';
import { configurationOf } from '../crm/load.js';
import { showConfiguration } from '../crm/show.js';
import { epochOf } from './backend.js';
import { lineDiff, type DiffLine } from './line-diff.js';

/**
 * The configuration editor's steps: show the configuration in the crm language, then for an
 * edited text verify it and show the diff, then commit it — each against the epoch the editor
 * started from, so an edit made on an older configuration is never written over a newer one.
 */

export interface ConfigView {
  text: string;
  /** `admin_epoch.epoch` of the configuration shown. */
  epoch: string;
}

/**
 * An administrator gets passwords in clear: the text goes back in on commit, and a password shown
 * as ****** would be saved so. A viewer, who cannot commit, gets them obscured as crm shows them.
 */
export function showForEditing(cib: XmlElement, obscure = false): ConfigView {
  return { text: showConfiguration(configurationOf(cib), [], { obscure }), epoch: epochOf(cib) };
}

export interface Problem {
  message: string;
  /** `line:column` or an object id, when the checker names one. */
  where?: string;
}

export type EditCheck =
  | { ok: true; changed: boolean; next: XmlElement; diff: DiffLine[]; warnings: Problem[]; forced: Problem[] }
  | { ok: false; errors: Problem[]; forcible: boolean };

export interface AgentLookups {
  lookupAgent: LookupAgent;
  pickProvider(type: string): string;
}

/** Parses and checks an edited configuration against `cib`; never throws for bad text. */
export function checkEdit(cib: XmlElement, text: string, force: boolean, agents: AgentLookups): EditCheck {
  try {
    const outcome = loadCrm(cib, text, { method: 'replace', force, lookupAgent: agents.lookupAgent, pickProvider: agents.pickProvider, source: 'edit' });
    const shownAfter = showConfiguration(configurationOf(outcome.cib), [], { obscure: false });
    return {
      ok: true,
      changed: outcome.changed,
      next: outcome.cib,
      diff: lineDiff(showForEditing(cib).text, shownAfter),
      warnings: outcome.warnings.map(problem),
      forced: outcome.forced.map(problem),
    };
  } catch (err) {
    if (err instanceof CrmSyntaxError) return { ok: false, errors: [{ message: err.message, where: `${err.position.line}:${err.position.column}` }], forcible: false };
    if (err instanceof CrmCommitError) return { ok: false, errors: err.errors.map(problem), forcible: err.forcible };
    throw err;
  }
}

function problem(p: { message: string; id?: string }): Problem {
  return p.id === undefined ? { message: p.message } : { message: p.message, where: p.id };
}
