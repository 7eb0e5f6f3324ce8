import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyCib } from '../../src/cib/empty.js';
import { loadCrm } from '../../src/crm/commit.js';
import { CrmCommitError, CrmSyntaxError } from '../../src/crm/errors.js';
import { parseCrm } from '../../src/crm/parser.js';
import { showConfiguration } from '../../src/crm/show.js';
import { configurationOf } from '../../src/crm/load.js';
import { HAVE_CORPUS, corpusCases } from './corpus.js';
import { recorded } from './recorded.js';

// The ACL and bundle inputs written for this project join the corpus: the corpus has neither.
const inputs = [...corpusCases().map((c) => c.crm), recorded('acl').crm, recorded('bundle').crm];
const ALPHABET = ['xml <primitive id="x"/>', '<', '>', ' ', '\n', '\\', '"', "'", ':', '=', '(', ')', '[', ']', '{', '}', '@', '$', '#', '/', '-', 'a', '0', 'inf', 'rule', 'op', 'params', 'date', 'and', 'role', 'read', 'xpath:', 'meta:', 'docker', 'network', 'port-mapping', 'primitive'];

/** A corpus input with a few random edits: insertions of syntax-heavy fragments, deletions, swaps. */
const mutated = fc
  .record({
    base: fc.constantFrom(...(inputs.length > 0 ? inputs : ['primitive d Dummy\n'])),
    edits: fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom(...ALPHABET), fc.boolean()), { minLength: 1, maxLength: 6 }),
  })
  .map(({ base, edits }) =>
    edits.reduce((text, [at, len, fragment, insert]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      return insert ? text.slice(0, i) + fragment + text.slice(i) : text.slice(0, i) + text.slice(i + len);
    }, base),
  );

// Every agent is "installed" with no parameters: the fuzzing is about the parser and the loader.
const anyAgent = () => ({ parameters: [] });

describe.skipIf(!HAVE_CORPUS)('mutated corpus inputs', () => {
  it('never crash the parser: a clean CrmSyntaxError or statements', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        try {
          expect(Array.isArray(parseCrm(text, 'fuzz.crm'))).toBe(true);
        } catch (e) {
          if (!(e instanceof CrmSyntaxError)) throw e;
          expect(e.message).toMatch(/^fuzz\.crm:\d+:\d+: found .+, expected .+/s);
        }
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });

  it('never crash a load: a new CIB that shows and reads back, or a clean refusal', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        try {
          const out = loadCrm(emptyCib(), text, { method: 'update', force: false, lookupAgent: anyAgent, pickProvider: () => 'heartbeat', source: 'fuzz.crm' });
          expect(typeof showConfiguration(configurationOf(out.cib))).toBe('string');
        } catch (e) {
          if (!(e instanceof CrmSyntaxError || e instanceof CrmCommitError)) throw e;
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
