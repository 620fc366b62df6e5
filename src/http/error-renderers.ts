import type { Context } from 'koa';
import { type ErrorAnswer, shownMessage } from './error-answer.js';

/** An error as a response: what the middleware of each surface copies onto `ctx`. */
export interface ErrorResponse {
  status: number;
  type: string;
  body: string | Record<string, unknown>;
}

/** Plain text, for everything outside `/api` and `/voice`'s call webhooks. */
export function textError(answer: ErrorAnswer): ErrorResponse {
  return { status: answer.status, type: 'text/plain', body: shownMessage(answer) };
}

/** `{ error, parameter?, message, …details }` for `/api` (docs/http-api.md, "Errors"). */
export function jsonError(answer: ErrorAnswer): ErrorResponse {
  return {
    status: answer.status,
    type: 'application/json',
    body: {
      error: answer.code,
      ...(answer.parameter === undefined ? {} : { parameter: answer.parameter }),
      message: shownMessage(answer),
      ...answer.details,
    },
  };
}

/**
 * TwiML for a call webhook: the caller hears `apology` and the call ends, never a bare error. A request that is
 * malformed keeps its 4xx status (Twilio then plays its fallback URL's answer); a well-formed one for a call that
 * cannot go on (unknown, already ended) or one that failed on our side answers 200, so Twilio plays the apology.
 */
export function voiceError(answer: ErrorAnswer, apology: string): ErrorResponse {
  const callCannotGoOn = answer.status >= 500 || answer.code === 'not_found' || answer.code === 'call_ended';
  return { status: callCannotGoOn ? 200 : answer.status, type: 'text/xml', body: apology };
}

/** Copies a rendered error onto the response. */
export function respondWith(ctx: Pick<Context, 'status' | 'type' | 'body'>, response: ErrorResponse): void {
  ctx.status = response.status;
  ctx.type = response.type;
  ctx.body = response.body;
}
