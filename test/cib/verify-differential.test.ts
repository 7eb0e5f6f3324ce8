import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyCib } from '../../src/cib/verify.js';
import { parseXml } from '../../src/cib/xml.js';

// Pacemaker's crm_verify is the reference: wherever it reports a configuration error on a corpus
// CIB, vigil verify must report an error too. crm_verify also reports errors found by running the
// scheduler over the status section (a resource active on two nodes, a failed stop); those are
// not configuration mistakes, so only errors from its configuration-unpacking functions count.
const CASES = resolve(__dirname, '../../../shared/conformance/scheduler/cases');
const CONFIG_ERROR_SOURCES = new Set([
  'is_op_dup', 'unpack_operation_on_fail', 'get_target_role', 'unpack_operation', 'get_ordering_type',
  'unpack_influence', 'unpack_resources', 'unpack_simple_location', 'unpack_rsc_location', 'unpack_simple_colocation',
  'unpack_rsc_order', 'unpack_rsc_ticket', 'unpack_location_tags', 'expand_idref', 'pcmk__unpack_constraints',
]);

function hasCrmVerify(): boolean {
  return spawnSync('crm_verify', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** crm_verify -V's configuration errors for one file; it exits non-zero for them, which is expected. */
function crmVerifyConfigErrors(file: string): Promise<string[]> {
  return new Promise((done) => {
    execFile('crm_verify', ['-V', '-x', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (_err, stdout, stderr) => {
      const lines = (stdout + stderr).split('\n').filter((line) => /\berror:/.test(line));
      done(lines.filter((line) => CONFIG_ERROR_SOURCES.has(/^\((\w+)\)/.exec(line.trim())?.[1] ?? '')));
    });
  });
}

/** Runs crm_verify over the files two at a time (the machine has two cores). */
async function crmVerifyAll(files: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++];
      out.set(file, await crmVerifyConfigErrors(file));
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

const skip = !existsSync(CASES) ? `corpus ${CASES} absent` : !hasCrmVerify() ? 'crm_verify (pacemaker-cli-utils) not installed' : '';

describe.skipIf(skip !== '')(`vigil verify against crm_verify on the scheduler corpus${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // About 10 s on an idle two-core machine; the generous limit is for a busy one.
  it('flags an error wherever crm_verify finds a configuration error', { timeout: 300_000 }, async () => {
    const files = readdirSync(CASES).filter((f) => f.endsWith('.xml')).sort().map((f) => join(CASES, f));
    const reference = await crmVerifyAll(files);
    const missed: string[] = [];
    let configErrorCases = 0;
    for (const path of files) {
      const expected = reference.get(path) ?? [];
      if (expected.length === 0) continue;
      configErrorCases++;
      const ours = verifyCib(parseXml(readFileSync(path, 'utf8'), path));
      if (ours.errors.length === 0) missed.push(`${path}: crm_verify says ${expected[0].trim()}`);
    }
    // 43 of the public corpus's CIBs have configuration errors by crm_verify 2.1.5.
    expect(configErrorCases).toBeGreaterThan(30);
    expect(missed).toEqual([]);
  });
});
