import { OCF_ERR_CONFIGURED, OCF_NOT_RUNNING, OCF_SUCCESS, sleep, StateFile, type AgentContext, type BuiltinAgent } from '../framework.js';

/** Dummy: remembers "running" in a state file; for tests and for pseudo resources. */
export const dummy: BuiltinAgent = {
  name: 'Dummy',
  shortdesc: 'Example stateless resource agent',
  longdesc: 'Keeps a state file while "running". Does nothing else; useful for testing the cluster.',
  parameters: [
    { name: 'state', shortdesc: 'State file', longdesc: 'Location of the state file (default under HA_RSCTMP).', type: 'string', unique: true },
    { name: 'fake', shortdesc: 'Fake attribute', longdesc: 'A parameter that can be changed and reloaded.', type: 'string', default: 'dummy', reloadable: true },
    { name: 'op_sleep', shortdesc: 'Operation sleep', longdesc: 'Seconds each action sleeps before doing its work.', type: 'string', default: '0' },
  ],
  actions: [
    { name: 'start', timeout: '20s' },
    { name: 'stop', timeout: '20s' },
    { name: 'monitor', timeout: '20s', interval: '10s', depth: '0' },
    { name: 'reload-agent', timeout: '20s' },
    { name: 'migrate_to', timeout: '20s' },
    { name: 'migrate_from', timeout: '20s' },
    { name: 'validate-all', timeout: '20s' },
    { name: 'meta-data', timeout: '5s' },
  ],
  handlers: {},
};

async function pause(ctx: AgentContext): Promise<void> {
  const s = Number(ctx.params.op_sleep ?? '0');
  if (s > 0) await sleep(s * 1000, ctx.signal);
}

const state = (ctx: AgentContext): StateFile => new StateFile(ctx, 'Dummy', ctx.params.state);

dummy.handlers = {
  start: async (ctx) => {
    await pause(ctx);
    state(ctx).write(ctx.params.fake ?? '');
    return OCF_SUCCESS;
  },
  stop: async (ctx) => {
    await pause(ctx);
    state(ctx).remove();
    return OCF_SUCCESS;
  },
  monitor: async (ctx) => {
    await pause(ctx);
    return state(ctx).exists() ? OCF_SUCCESS : OCF_NOT_RUNNING;
  },
  'reload-agent': (ctx) => {
    if (state(ctx).exists()) state(ctx).write(ctx.params.fake ?? '');
    return OCF_SUCCESS;
  },
  migrate_to: (ctx) => {
    state(ctx).remove();
    return OCF_SUCCESS;
  },
  migrate_from: (ctx) => {
    state(ctx).write(ctx.params.fake ?? '');
    return OCF_SUCCESS;
  },
  'validate-all': (ctx) => {
    if (!/^\d+(\.\d+)?$/.test(ctx.params.op_sleep ?? '0')) {
      ctx.exitReason(`op_sleep must be a number of seconds, not '${ctx.params.op_sleep}'`);
      return OCF_ERR_CONFIGURED;
    }
    return OCF_SUCCESS;
  },
};
