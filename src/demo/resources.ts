import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo's configuration: a supervised process, a group (a web server and an HTTP check of
 * it) and a clone of Dummy, all with vigil's built-in agents so nothing needs root.
 */
export function writeDemoPrograms(dir: string): { worker: string; web: string } {
  const worker = join(dir, 'worker.mjs');
  writeFileSync(worker, "// A stand-in service: it only has to stay alive.\nsetInterval(() => {}, 60_000);\n");
  const web = join(dir, 'web.mjs');
  writeFileSync(
    web,
    [
      "import { createServer } from 'node:http';",
      'const port = Number(process.argv[2]);',
      '// The executor names the node in every agent\'s environment, and the supervised program inherits it.',
      "const node = process.env.VIGIL_NODE_NAME ?? 'a node';",
      "createServer((_req, res) => res.end(`hello from the vigil demo, served by ${node}\\n`)).listen(port, '127.0.0.1');",
      '',
    ].join('\n'),
  );
  return { worker, web };
}

export function demoResources(programs: { worker: string; web: string }, webPort: number): string {
  const op = (id: string, interval: string): string => `<operations><op id="${id}-monitor" name="monitor" interval="${interval}" timeout="10s"/></operations>`;
  const supervised = (id: string, args: string): string =>
    `<primitive id="${id}" class="ocf" provider="vigil" type="Supervisor"><instance_attributes id="${id}-params">` +
    `<nvpair id="${id}-binfile" name="binfile" value="${process.execPath}"/><nvpair id="${id}-args" name="cmdline_options" value="${args}"/>` +
    `</instance_attributes>${op(id, '1s')}</primitive>`;
  return [
    '<resources>',
    supervised('worker', programs.worker),
    '<group id="web">',
    supervised('web-server', `${programs.web} ${webPort}`),
    `<primitive id="web-check" class="ocf" provider="vigil" type="HttpCheck"><instance_attributes id="web-check-params"><nvpair id="web-check-url" name="url" value="http://127.0.0.1:${webPort}/"/></instance_attributes>${op('web-check', '1s')}</primitive>`,
    '</group>',
    `<clone id="dummies"><primitive id="dummy" class="ocf" provider="vigil" type="Dummy">${op('dummy', '2s')}</primitive></clone>`,
    '</resources>',
  ].join('');
}

export const DEMO_PROPERTIES =
  '<crm_config><cluster_property_set id="cib-bootstrap-options">' +
  // On one machine there is nothing that could cut a node's power: no fencing, and vigil says so.
  '<nvpair id="opt-stonith" name="stonith-enabled" value="false"/>' +
  '<nvpair id="opt-quorum" name="no-quorum-policy" value="stop"/>' +
  '</cluster_property_set></crm_config>';

export const DEMO_DEFAULTS =
  '<rsc_defaults><meta_attributes id="rsc-defaults"><nvpair id="rsc-stickiness" name="resource-stickiness" value="100"/>' +
  '<nvpair id="rsc-threshold" name="migration-threshold" value="3"/></meta_attributes></rsc_defaults>';
