import { runBuiltinAction } from './dispatch.js';

/**
 * `node run.js TYPE ACTION`: runs a built-in agent as a process of its own, with the OCF
 * environment, for tools outside vigil (libexec/resource.d/vigil/*). The executor runs the same
 * actions inside its own process (in-process.ts).
 */
const [type, action] = process.argv.slice(2);
const { code, stdout } = await runBuiltinAction(type, action, process.env, {
  stderr: (text) => process.stderr.write(text),
  // Whoever runs this process enforces the timeout by killing it.
  signal: new AbortController().signal,
  // Nobody outlives this process to watch the program; the next monitor notices its death.
  supervise: () => undefined,
});
process.stdout.write(stdout);
process.exitCode = code;
