import { NothingToProveError } from '../evidence/proof.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { AmbiguousReferenceError } from '../transcript/transcript.js';
import { CallEndedError, CallNotFoundError } from '../voice/call-service.js';

/**
 * What an error means over HTTP, decided in one place for the text answers, the `/api` JSON, the `/voice` TwiML
 * and the desk's pages (docs/http-api.md, "Errors").
 */
export interface ErrorAnswer {
  status: number;
  /** Machine-readable: the `error` field of a JSON answer. */
  code: string;
  /** The parameter at fault, by the name the client sent it under (`since`, `CallSid`, `body`). */
  parameter?: string | undefined;
  /** The error's own words: always logged, shown to the client only when `shown`. */
  message: string;
  /** Client errors say what was wrong; a server error's details stay in the log. */
  shown: boolean;
  /** More fields for a JSON answer (`call_sids` of an ambiguous reference). */
  details?: Record<string, unknown> | undefined;
}

/** What a client is told instead of a message that is not `shown`. */
export const HIDDEN_MESSAGE = 'internal error';

/** Maps any thrown value to its HTTP meaning; an error it does not know is a server error (500). */
export function classifyError(err: unknown): ErrorAnswer {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof InvalidParameterError) {
    return { status: 400, code: 'invalid_parameter', parameter: err.parameter, message, shown: true };
  }
  if (err instanceof CallNotFoundError || err instanceof NothingToProveError) {
    return { status: 404, code: 'not_found', message, shown: true };
  }
  if (err instanceof CallEndedError) return { status: 409, code: 'call_ended', message, shown: true };
  if (err instanceof AmbiguousReferenceError) {
    return { status: 409, code: 'ambiguous_reference', message, shown: true, details: { call_sids: err.callSids } };
  }
  // Koa's ctx.throw() and the body parsers' errors (http-errors) carry their status.
  const status = httpStatus(err);
  if (status === undefined || status >= 500) {
    return { status: status ?? 500, code: 'internal_error', message, shown: false };
  }
  if (status === 413) return { status, code: 'body_too_large', parameter: 'body', message, shown: true };
  return { status, code: STATUS_CODES[status] ?? 'bad_request', message, shown: true };
}

const STATUS_CODES: Record<number, string> = { 401: 'unauthorized', 404: 'not_found' };

/** The message a client may read: the error's own for a client error, a fixed one for a server error. */
export function shownMessage(answer: ErrorAnswer, hidden = HIDDEN_MESSAGE): string {
  return answer.shown ? answer.message : hidden;
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}
