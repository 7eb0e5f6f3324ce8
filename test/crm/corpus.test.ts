import { describe, expect, it } from 'vitest';
import { emptyCib } from '../../src/cib/empty.js';
import { parseXml } from '../../src/cib/xml.js';
import { loadCrm } from '../../src/crm/commit.js';
import { CrmCommitError, CrmSyntaxError } from '../../src/crm/errors.js';
import { systemPickProvider } from '../../src/crm/io/agents.js';
import { configurationOf } from '../../src/crm/load.js';
import { HAVE_CORPUS, REFUSED_QUIRKS, corpusAgentLookup, corpusCases, normalized } from './corpus.js';

const lookupAgent = corpusAgentLookup();

function run(name: string, crm: string, flags: string[]) {
  return loadCrm(emptyCib(), crm, { method: 'update', force: flags.includes('-F'), lookupAgent, pickProvider: systemPickProvider, source: `${name}.crm` });
}

describe.skipIf(!HAVE_CORPUS)('crm corpus through the library', () => {
  it('matches crmsh on every case except the quirks vigil refuses on purpose', () => {
    const passed: string[] = [];
    const failed: string[] = [];
    for (const c of corpusCases()) {
      let outcome: ReturnType<typeof run> | undefined;
      let error: unknown;
      try {
        outcome = run(c.name, c.crm, c.flags);
      } catch (e) {
        error = e;
      }
      if (error !== undefined && !(error instanceof CrmSyntaxError || error instanceof CrmCommitError)) throw error;
      let ok: boolean;
      if (c.err !== undefined) ok = error !== undefined;
      else ok = outcome !== undefined && JSON.stringify(normalized(configurationOf(outcome.cib))) === JSON.stringify(normalized(parseXml(c.xml as string)));
      (ok ? passed : failed).push(c.name);
    }
    expect(failed).toEqual(REFUSED_QUIRKS);
    expect(passed.length).toBeGreaterThanOrEqual(143);
  });

  it('refuses each deliberate quirk with a message naming the problem', () => {
    const cases = corpusCases().filter((c) => REFUSED_QUIRKS.includes(c.name));
    const messages = cases.map((c) => {
      try {
        run(c.name, c.crm, c.flags);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages).toEqual([
      expect.stringMatching(/interval 'abc' is not a duration/),
      expect.stringMatching(/is-managed='maybe' is not a boolean/),
      expect.stringMatching(/'not-a-date' is not an ISO 8601 date/),
      expect.stringContaining('missing1'),
      expect.stringContaining('fake has no value'),
      expect.stringContaining('nothere'),
      expect.stringMatching(/'moniter' is not an operation name/),
    ]);
  });

  it('reports syntax errors as FILE:LINE:COL: found TOKEN, expected ...', () => {
    const c = corpusCases().find((x) => x.name === 'err-syntax-colocation-bad-role');
    expect(c).toBeDefined();
    expect(() => run('err-syntax-colocation-bad-role', c?.crm ?? '', [])).toThrow(/^err-syntax-colocation-bad-role\.crm:4:20: found "a:Boss", expected a role \(/);
  });

  it('refuses a missing agent unless forced, and says so', () => {
    const crm = 'property stonith-enabled=false\nprimitive e ocf:heartbeat:NoSuchAgentHere\n';
    expect(() => run('x', crm, [])).toThrow(/ocf:heartbeat:NoSuchAgentHere: no such resource agent/);
    const forced = run('x', crm, ['-F']);
    expect(forced.forced.map((f) => f.id)).toEqual(['e']);
    expect(configurationOf(forced.cib).children.find((s) => s.name === 'resources')?.children.map((r) => r.attrs.id)).toEqual(['e']);
  });
});
