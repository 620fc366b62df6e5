import type { ParameterizedContext } from 'koa';

// A voice webhook body is a few hundred bytes; anything near this is not from Twilio.
const LIMIT = 64 * 1024;

/** Form fields by name. It has no prototype, so a field named `__proto__` or `constructor` is an ordinary field. */
export type FormParams = Record<string, string>;

/**
 * Reads an `application/x-www-form-urlencoded` body as flat name/value pairs, exactly as sent. A nested-object
 * parser (qs) would turn `A[b]=c` into `{A: {b: 'c'}}` and break the signature check, so the platform's
 * URLSearchParams is used instead.
 */
export async function readForm(ctx: ParameterizedContext): Promise<FormParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    ctx.throw(415, 'expected an application/x-www-form-urlencoded body');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) ctx.throw(413, `request body is over ${LIMIT} bytes`);
    chunks.push(chunk);
  }
  // A plain object would swallow `__proto__=x` (the assignment sets its prototype), so a correctly signed
  // request carrying that name would be checked over one parameter fewer and refused.
  const params: FormParams = Object.create(null);
  for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[name] = value;
  return params;
}
