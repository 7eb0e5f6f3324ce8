import { OCF_ERR_CONFIGURED, OCF_ERR_GENERIC, OCF_NOT_RUNNING, OCF_SUCCESS, opTimeoutMs, SERVICE_ACTIONS, StateFile, type AgentContext, type BuiltinAgent } from '../framework.js';

/**
 * An HTTP health check: "running" once started, and healthy while the URL answers with the
 * expected status (and, if given, a body matching a pattern). For services managed elsewhere
 * whose health the cluster should act on.
 */
export const httpCheck: BuiltinAgent = {
  name: 'HttpCheck',
  shortdesc: 'HTTP health check',
  longdesc: 'Monitors a URL: healthy when it answers with the expected status code and, optionally, a body matching a regular expression.',
  parameters: [
    { name: 'url', shortdesc: 'URL', longdesc: 'The http:// or https:// URL to fetch.', type: 'string', required: true, unique: true },
    { name: 'expect_status', shortdesc: 'Expected status', longdesc: 'The HTTP status code that means healthy.', type: 'integer', default: '200' },
    { name: 'expect_body', shortdesc: 'Expected body', longdesc: 'A regular expression the response body must match.', type: 'string' },
    { name: 'request_timeout', shortdesc: 'Request timeout', longdesc: 'Seconds to wait for the answer (default: most of the operation timeout).', type: 'integer' },
  ],
  actions: SERVICE_ACTIONS,
  handlers: {},
};

function validate(ctx: AgentContext): string | undefined {
  const url = ctx.params.url;
  if (!url) return 'the url parameter is required';
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `url must be http:// or https://, not '${u.protocol}'`;
  } catch {
    return `url '${url}' is not a valid URL`;
  }
  if (!/^\d{3}$/.test(ctx.params.expect_status ?? '')) return `expect_status must be a 3-digit HTTP status, not '${ctx.params.expect_status}'`;
  if (ctx.params.expect_body) {
    try {
      new RegExp(ctx.params.expect_body);
    } catch {
      return `expect_body '${ctx.params.expect_body}' is not a valid regular expression`;
    }
  }
  return undefined;
}

async function check(ctx: AgentContext): Promise<number> {
  const timeoutMs = ctx.params.request_timeout ? Number(ctx.params.request_timeout) * 1000 : Math.max(1000, opTimeoutMs(ctx, 20_000) * 0.8);
  try {
    const res = await fetch(ctx.params.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const body = await res.text();
    if (String(res.status) !== ctx.params.expect_status) {
      ctx.exitReason(`${ctx.params.url} answered ${res.status}, expected ${ctx.params.expect_status}`);
      return OCF_ERR_GENERIC;
    }
    if (ctx.params.expect_body && !new RegExp(ctx.params.expect_body).test(body)) {
      ctx.exitReason(`${ctx.params.url}: body does not match /${ctx.params.expect_body}/`);
      return OCF_ERR_GENERIC;
    }
    return OCF_SUCCESS;
  } catch (err) {
    ctx.exitReason(`${ctx.params.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
    return OCF_ERR_GENERIC;
  }
}

const marker = (ctx: AgentContext): StateFile => new StateFile(ctx, 'HttpCheck');

httpCheck.handlers = {
  start: async (ctx) => {
    const bad = validate(ctx);
    if (bad) {
      ctx.exitReason(bad);
      return OCF_ERR_CONFIGURED;
    }
    const rc = await check(ctx);
    if (rc === OCF_SUCCESS) marker(ctx).write('started');
    return rc;
  },
  stop: (ctx) => {
    marker(ctx).remove();
    return OCF_SUCCESS;
  },
  monitor: async (ctx) => {
    if (!marker(ctx).exists()) return OCF_NOT_RUNNING;
    return check(ctx);
  },
  'validate-all': (ctx) => {
    const bad = validate(ctx);
    if (bad) ctx.exitReason(bad);
    return bad ? OCF_ERR_CONFIGURED : OCF_SUCCESS;
  },
};
