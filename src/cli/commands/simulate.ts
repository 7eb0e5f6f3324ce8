import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseXml, serializeXml, type XmlElement } from '../../cib/xml.js';
import { cibFilePath } from '../../cib/io/file.js';
import { describeAction, executeGraph, formatScores, injectResults, schedule, type ScheduleResult } from '../../scheduler/index.js';
import { explain } from '../../scheduler/explain.js';
import { isoUtc, parseIsoDate } from '../../cib/dates.js';
import { applyNodeChanges, injectOps, parseOpSpec, type NodeChange } from '../../scheduler/simulate/modify.js';
import { minimalStatus } from '../../scheduler/simulate/status.js';
import { graphToXml } from '../../scheduler/transition/graph-xml.js';
import { CommandError, UsageError, parseOutputFormat, printJson } from '../output.js';

interface SimulateOptions {
  xmlFile?: string;
  simulate?: boolean;
  run?: boolean;
  showScores?: boolean;
  nodeUp: string[];
  nodeDown: string[];
  nodeFail: string[];
  opInject: string[];
  opFail: string[];
  setDatetime?: string;
  saveOutput?: string;
  saveGraph?: string;
  saveDotfile?: string;
  quiet?: boolean;
  outputAs?: string;
  explain?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run the scheduler on a CIB and show what the cluster would do (like crm_simulate)')
    .option('-x, --xml-file <file>', 'CIB to read (default: --cib/$CIB_file)')
    .option('-S, --simulate', 'schedule, then simulate the transition and show the resulting status')
    .option('-R, --run', 'schedule and show the transition summary')
    .option('-s, --show-scores', 'show allocation scores')
    .option('-u, --node-up <node>', 'bring a node online first (repeatable)', collect, [])
    .option('-d, --node-down <node>', 'take a node offline cleanly first (repeatable)', collect, [])
    .option('-f, --node-fail <node>', 'mark a node as failed first (repeatable)', collect, [])
    .option('-i, --op-inject <op>', 'record RSC_TASK_INTERVAL@NODE=RC in the history first (repeatable)', collect, [])
    .option('-F, --op-fail <op>', 'make an action of the transition fail: RSC_TASK_INTERVAL@NODE=RC (repeatable)', collect, [])
    .option('-t, --set-datetime <date>', 'the time to schedule at (ISO 8601)')
    .option('-O, --save-output <file>', 'write the resulting CIB here')
    .option('-G, --save-graph <file>', 'write the transition graph (Pacemaker\'s transition_graph XML) here')
    .option('-D, --save-dotfile <file>', 'write the transition graph as Graphviz dot here')
    .option('-Q, --quiet', 'do not print the cluster status')
    .option('--explain <rsc>', 'explain why a resource is where it is (or stopped)')
    .option('--output-as <format>', 'text or json', 'text')
    .action((opts: SimulateOptions) => {
      runSimulate(opts);
    });
}

function loadCib(opts: SimulateOptions): XmlElement {
  const file = opts.xmlFile ?? cibFilePath();
  if (!file) throw new UsageError('no CIB given: use -x FILE (or --cib/$CIB_file)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CommandError(`cannot read ${file}: ${(err as Error).message}`, 66);
  }
  try {
    return parseXml(text, file);
  } catch (err) {
    throw new CommandError(`${file} is not a valid CIB: ${(err as Error).message}`, 65);
  }
}

type StatusRenderer = (cib: XmlElement, options?: { now?: number; clock?: number; title?: string }) => string;

async function loadRenderer(): Promise<StatusRenderer | undefined> {
  const path = '../../status/index.js';
  try {
    const mod = (await import(path)) as { renderSimulateStatus?: StatusRenderer };
    return mod.renderSimulateStatus;
  } catch {
    return undefined;
  }
}

function runSimulate(opts: SimulateOptions): void {
  const format = parseOutputFormat(opts.outputAs);
  if (format === 'xml') throw new UsageError('vigil simulate supports --output-as text or json');
  let cib = loadCib(opts);
  const changes: NodeChange[] = [
    ...opts.nodeUp.map((node) => ({ node, change: 'up' as const })),
    ...opts.nodeDown.map((node) => ({ node, change: 'down' as const })),
    ...opts.nodeFail.map((node) => ({ node, change: 'fail' as const })),
  ];
  let failOps;
  try {
    if (changes.length > 0) cib = applyNodeChanges(cib, changes);
    if (opts.opInject.length > 0) cib = injectOps(cib, opts.opInject.map(parseOpSpec));
    failOps = opts.opFail.map(parseOpSpec);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let now: number;
  let header: string | undefined;
  if (opts.setDatetime !== undefined) {
    const t = parseIsoDate(opts.setDatetime);
    if (t === undefined) throw new UsageError(`-t/--set-datetime: '${opts.setDatetime}' is not an ISO 8601 date`);
    now = t;
  } else if (cib.attrs['execution-date'] !== undefined && /^\d+$/.test(cib.attrs['execution-date'])) {
    now = Number(cib.attrs['execution-date']);
    header = `Using the original execution date of: ${isoUtc(now)}`;
  } else now = Math.floor(Date.now() / 1000);

  const result = schedule(cib, { now, detail: opts.showScores === true });
  for (const u of result.unsupported) process.stderr.write(`vigil simulate: warning: not implemented, the plan may be wrong: ${u}\n`);
  for (const w of result.warnings) process.stderr.write(`vigil simulate: warning: ${w}\n`);

  const simulate = opts.simulate === true;
  const executed = simulate ? executeGraph(result.graph) : [];
  // -F is read (so a malformed spec is refused) but failing an action inside the simulated
  // transition is not implemented: say so rather than print a run where everything succeeded.
  const notImplemented = (failOps ?? []).length > 0 ? [`-F/--op-fail ${opts.opFail.join(' ')}: the simulated transition runs as if every action succeeded`] : [];
  for (const u of notImplemented) process.stderr.write(`vigil simulate: warning: not implemented, the result may be wrong: ${u}\n`);
  const revised = simulate ? injectResults(cib, executed, now) : undefined;
  if (opts.saveOutput && revised) writeFileSync(opts.saveOutput, serializeXml(revised, { declaration: false }));
  else if (opts.saveOutput) writeFileSync(opts.saveOutput, serializeXml(cib, { declaration: false }));
  if (opts.saveGraph) writeFileSync(opts.saveGraph, serializeXml(graphToXml(result.graph)));
  if (opts.saveDotfile) writeFileSync(opts.saveDotfile, toDot(result));

  if (opts.explain !== undefined) {
    const e = explain(cib, { now }, opts.explain);
    if (format === 'json') printJson(e);
    else process.stdout.write(e.text.join('\n') + '\n');
    return;
  }
  if (format === 'json') {
    printJson({
      summary: result.summaryLines,
      placements: result.placements,
      graph: result.graph,
      executed: executed.map((a) => describeAction(a).replace(/^ {2}\* /, '')),
      scores: opts.showScores ? result.scores : undefined,
      warnings: result.warnings,
      unsupported: [...result.unsupported, ...notImplemented],
    });
    return;
  }
  void loadRenderer().then((renderer) => {
    // The crm_mon-style renderer prints its own heading (and the execution-date line); the
    // built-in fallback prints only the lists.
    const status = (c: XmlElement, title: string): string[] => {
      if (renderer) {
        const options = opts.setDatetime !== undefined ? { now: now * 1000, title } : { clock: Date.now(), title };
        return [renderer(c, options).replace(/\n+$/, ''), ''];
      }
      return [...(title === 'Current cluster status' && header ? [header] : []), `${title}:`, minimalStatus(c).replace(/\n+$/, ''), ''];
    };
    const out: string[] = [];
    if (!opts.quiet) out.push(...status(cib, 'Current cluster status'));
    else if (header) out.push(header);
    if (opts.showScores) out.push(...formatScores(result), '');
    if (opts.run || simulate) {
      out.push('Transition Summary:', ...result.summary, '');
    }
    if (simulate) {
      out.push('Executing Cluster Transition:', ...executed.map(describeAction));
      if (header) out.push(header);
      out.push('');
      if (!opts.quiet && revised) out.push(...status(revised, 'Revised Cluster Status'));
    }
    process.stdout.write(out.join('\n') + '\n');
  });
}

function toDot(result: ScheduleResult): string {
  const label = (i: number): string => {
    const a = result.graph.actions[i];
    return describeAction(a).replace(/^ {2}\* /, '').replace(/"/g, '\\"');
  };
  const lines = ['digraph "g" {'];
  result.graph.actions.forEach((a, i) => lines.push(`"${label(i)}" [ style=bold color="green" fontcolor="black"]`));
  for (const a of result.graph.actions) for (const i of a.inputs) lines.push(`"${label(i)}" -> "${label(a.id)}" [ style = bold]`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
