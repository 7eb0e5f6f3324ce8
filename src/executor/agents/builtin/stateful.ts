import { OCF_ERR_GENERIC, OCF_NOT_RUNNING, OCF_RUNNING_PROMOTED, OCF_SUCCESS, StateFile, type AgentContext, type BuiltinAgent } from '../framework.js';

const PROMOTED = 'promoted';
const UNPROMOTED = 'unpromoted';

/**
 * A promotable test agent: its role lives in a state file, and it publishes promotion scores
 * through crm_attribute --promotion (higher when promoted, so the promoted instance stays put).
 */
export const stateful: BuiltinAgent = {
  name: 'Stateful',
  shortdesc: 'Example promotable resource agent',
  longdesc: 'Keeps its role (promoted or unpromoted) in a state file and sets promotion scores through the attribute service.',
  parameters: [
    { name: 'state', shortdesc: 'State file', longdesc: 'Location of the state file (default under HA_RSCTMP).', type: 'string', unique: true },
    { name: 'score_promoted', shortdesc: 'Promoted score', longdesc: 'Promotion score set while promoted.', type: 'integer', default: '10' },
    { name: 'score_unpromoted', shortdesc: 'Unpromoted score', longdesc: 'Promotion score set while unpromoted.', type: 'integer', default: '5' },
  ],
  actions: [
    { name: 'start', timeout: '20s' },
    { name: 'stop', timeout: '20s' },
    { name: 'promote', timeout: '10s' },
    { name: 'demote', timeout: '10s' },
    { name: 'monitor', timeout: '20s', interval: '10s', role: 'Promoted', depth: '0' },
    { name: 'monitor', timeout: '20s', interval: '11s', role: 'Unpromoted', depth: '0' },
    { name: 'notify', timeout: '5s' },
    { name: 'validate-all', timeout: '20s' },
    { name: 'meta-data', timeout: '5s' },
  ],
  handlers: {},
};

const state = (ctx: AgentContext): StateFile => new StateFile(ctx, 'Stateful', ctx.params.state);

async function setScore(ctx: AgentContext, score: string | undefined): Promise<number> {
  const args = score === undefined ? ['--promotion', '-D'] : ['--promotion', '-v', score];
  const { code } = await ctx.helper('crm_attribute', args);
  if (code !== 0) ctx.log(`could not ${score === undefined ? 'delete' : 'set'} the promotion score (crm_attribute exit ${code})`);
  return code;
}

stateful.handlers = {
  start: async (ctx) => {
    if (state(ctx).read() === PROMOTED) return OCF_SUCCESS;
    state(ctx).write(UNPROMOTED);
    await setScore(ctx, ctx.params.score_unpromoted);
    return OCF_SUCCESS;
  },
  stop: async (ctx) => {
    state(ctx).remove();
    await setScore(ctx, undefined);
    return OCF_SUCCESS;
  },
  promote: async (ctx) => {
    if (!state(ctx).exists()) {
      ctx.exitReason('cannot promote: not running');
      return OCF_ERR_GENERIC;
    }
    state(ctx).write(PROMOTED);
    await setScore(ctx, ctx.params.score_promoted);
    return OCF_SUCCESS;
  },
  demote: async (ctx) => {
    if (!state(ctx).exists()) {
      ctx.exitReason('cannot demote: not running');
      return OCF_ERR_GENERIC;
    }
    state(ctx).write(UNPROMOTED);
    await setScore(ctx, ctx.params.score_unpromoted);
    return OCF_SUCCESS;
  },
  monitor: async (ctx) => {
    const role = state(ctx).read();
    if (role === undefined) return OCF_NOT_RUNNING;
    // A probe after a restart of the cluster stack restores the score it would have set.
    if (ctx.meta.interval === '0') await setScore(ctx, role === PROMOTED ? ctx.params.score_promoted : ctx.params.score_unpromoted);
    return role === PROMOTED ? OCF_RUNNING_PROMOTED : OCF_SUCCESS;
  },
  notify: () => OCF_SUCCESS,
  'validate-all': () => OCF_SUCCESS,
};
