import type { IncomingMessage } from 'node:http';
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
  const body = await readBody(ctx.req);
  if (body === undefined) ctx.throw(413, `request body is over ${LIMIT} bytes`);
  // A plain object would swallow `__proto__=x` (the assignment sets its prototype), so a correctly signed
  // request carrying that name would be checked over one parameter fewer and refused.
  const params: FormParams = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) params[name] = value;
  return params;
}

/**
 * The body as text, or undefined once it is over the limit. Read by events rather than `for await`: a webhook is
 * one small chunk, and the async iterator costs more than the chunk. A request whose client goes away rejects as
 * the iterator would (ECONNRESET, or ERR_STREAM_PREMATURE_CLOSE when it closes before its end).
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Settling twice is a no-op, so the listeners stay: an error after the answer must still have one.
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > LIMIT) {
        req.off('data', onData);
        // The rest is not read here; Node discards it once the answer has been sent.
        req.pause();
        resolve(undefined);
      }
    };
    req.on('data', onData);
    req.on('end', () =>
      resolve((chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8')),
    );
    req.on('error', reject);
    req.on('close', () => {
      if (!req.readableEnded) {
        const err = new Error('the request closed before its body ended');
        reject(Object.assign(err, { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
      }
    });
  });
}
