import type { HttpAnswer, Post } from './call-runner.js';
import type { TwilioRequest } from './twilio-request.js';

// Twilio gives a webhook 15 seconds before it reports error 11200 and tries the fallback URL (https://www.twilio.com/docs/api/errors/11205).
const TWILIO_TIMEOUT_MS = 15_000;

/**
 * Sends requests with fetch. `deliver` maps the URL Twilio would use to where the server really listens, as a
 * tunnel or proxy does: the request is signed for the public URL and delivered to the local one.
 */
export function httpPost(deliver: { from: string; to: string } | undefined = undefined): Post {
  return async (request: TwilioRequest): Promise<HttpAnswer> => {
    const target =
      deliver && request.url.startsWith(deliver.from)
        ? deliver.to + request.url.slice(deliver.from.length)
        : request.url;
    let res: Response;
    try {
      res = await fetch(target, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(TWILIO_TIMEOUT_MS),
      });
    } catch (err) {
      // fetch says only "fetch failed"; the cause (ECONNREFUSED, a timeout) is what a developer needs to see.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(cause?.code ?? cause?.message ?? (err as Error).message);
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? undefined, body: await res.text() };
  };
}
