import { OCF_ERR_CONFIGURED, OCF_ERR_GENERIC, OCF_NOT_RUNNING, OCF_SUCCESS, opTimeoutMs, SERVICE_ACTIONS, sleep, StateFile, type AgentContext, type BuiltinAgent } from '../framework.js';

/**
 * An HTTP health check: "running" once started, and healthy while the URL answers with the
 * expected status (and, if given, a body matching a pattern). For services managed elsewhere
 * whose health the cluster should act on.
 */
export const httpCheck: BuiltinAgent = {
  name: 'HttpCheck',
  shortdesc: 'HTTP health check',
  longdesc:
    'Monitors a URL: healthy when it answers with the expected status code and, optionally, a body matching a regular expression. ' +
    'The start waits for the URL to become healthy, for most of its timeout.',
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

/** One request: undefined when healthy, else why not. */
async function check(ctx: AgentContext, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(ctx.params.url, { signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ctx.signal]), redirect: 'manual' });
    const body = await res.text();
    if (String(res.status) !== ctx.params.expect_status) return `${ctx.params.url} answered ${res.status}, expected ${ctx.params.expect_status}`;
    if (ctx.params.expect_body && !new RegExp(ctx.params.expect_body).test(body)) return `${ctx.params.url}: body does not match /${ctx.params.expect_body}/`;
    return undefined;
  } catch (err) {
    return `${ctx.params.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`;
  }
}

/** The request timeout: the parameter, or most of the operation's timeout. */
const requestTimeoutMs = (ctx: AgentContext): number =>
  ctx.params.request_timeout ? Number(ctx.params.request_timeout) * 1000 : Math.max(1000, opTimeoutMs(ctx, 20_000) * 0.8);

/** Pause between the start's attempts. */
const RETRY_MS = 50;

const marker = (ctx: AgentContext): StateFile => new StateFile(ctx, 'HttpCheck');

httpCheck.handlers = {
  start: async (ctx) => {
    const bad = validate(ctx);
    if (bad) {
      ctx.exitReason(bad);
      return OCF_ERR_CONFIGURED;
    }
    // The service checked is often started just before this (the member before it in a group),
    // and a program answers some time after its own start returned: the start waits for the URL
    // to become healthy, for most of its timeout, as the apache agent's start waits for apache.
    const deadline = Date.now() + opTimeoutMs(ctx, 20_000) * 0.8;
    for (;;) {
      const problem = await check(ctx, Math.min(requestTimeoutMs(ctx), Math.max(100, deadline - Date.now())));
      if (problem === undefined) {
        marker(ctx).write('started');
        return OCF_SUCCESS;
      }
      if (Date.now() + RETRY_MS >= deadline) {
        ctx.exitReason(problem);
        return OCF_ERR_GENERIC;
      }
      await sleep(RETRY_MS, ctx.signal);
    }
  },
  stop: (ctx) => {
    marker(ctx).remove();
    return OCF_SUCCESS;
  },
  monitor: async (ctx) => {
    if (!marker(ctx).exists()) return OCF_NOT_RUNNING;
    const problem = await check(ctx, requestTimeoutMs(ctx));
    if (problem !== undefined) ctx.exitReason(problem);
    return problem === undefined ? OCF_SUCCESS : OCF_ERR_GENERIC;
  },
  'validate-all': (ctx) => {
    const bad = validate(ctx);
    if (bad) ctx.exitReason(bad);
    return bad ? OCF_ERR_CONFIGURED : OCF_SUCCESS;
  },
};
