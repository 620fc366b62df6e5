import Router, { type RouterContext } from '@koa/router';
import type { AppContext } from '../context.js';
import { isClientGone } from '../http/client-gone.js';
import { classifyError } from '../http/error-answer.js';
import { respondWith, voiceError } from '../http/error-renderers.js';
import type { FormParams } from '../http/form.js';
import { logWith } from '../http/request-log.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { maskNumbersInQuery, maskPhone } from '../phone/phone.js';
import type { Answer } from './call-service.js';
import { apologyFor } from './failure-answer.js';
import { requireTwilioSignature } from './signature.js';
import { renderApology, renderRetry } from './twiml.js';
import { statusParams, voiceParams } from './webhook-params.js';

/** What the signature check leaves for the webhooks: the form Twilio signed. */
export interface VoiceState {
  params: FormParams;
}

type VoiceContext = RouterContext<VoiceState>;

/** The webhooks Twilio calls. Every request must carry a valid Twilio signature; there is no switch to skip it. */
export function voiceRouter(app: AppContext): Router {
  const router = new Router<VoiceState>({ prefix: '/voice' });
  // The apology reads the call's last committed state, outside any write.
  const readDeps = { db: app.store.db, scripts: app.scripts };

  /**
   * Whatever fails on the way to a call's answer (reading its form, the fallback's own apology), the caller hears
   * an apology rather than a bare 500. Refusals of the request itself (signature, body type or size) stay plain
   * text for whoever sent it, as does every answer to a status callback, which no caller hears.
   */
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const failure = classifyError(err);
      if (isClientGone(err) || failure.status < 500 || ctx.path === '/voice/status') throw err;
      logWith(ctx, { err, path: ctx.path, failed: 'voice webhook' }, 'error');
      respondWith(ctx, voiceError(failure, renderApology()));
      app.metrics.apologyPlayed('webhook-failed');
    }
  });

  // Checked before anything else runs, so a forged request cannot reach the database.
  router.use(requireTwilioSignature(app));

  /**
   * Runs a webhook and answers its TwiML. A turn whose write fails is tried once more by a `<Redirect>` to
   * `retryUrl` (the same turn, with the keys pressed in the URL, which Twilio signs); if that fails too, the
   * caller hears an apology that names what this call has already saved.
   */
  const answer =
    (
      handle: (params: FormParams, ctx: VoiceContext) => Promise<Answer>,
      retryUrl: (params: FormParams, ctx: VoiceContext) => string,
    ) =>
    async (ctx: VoiceContext) => {
      const params = ctx.state.params;
      ctx.type = 'text/xml';
      logWith(ctx, { callSid: params.CallSid });
      try {
        const result = await handle(params, ctx);
        if (result.events.length > 0) {
          logWith(ctx, {
            events: result.events.map((e) => ({
              seq: e.seq,
              decision: e.decision,
              category: e.category,
              phone: maskPhone(e.phone_number),
            })),
          });
        }
        app.metrics.consentRecorded(result.events);
        if (result.replayed) logWith(ctx, { replayed: true, path: ctx.path });
        ctx.body = result.twiml;
      } catch (err) {
        // Nothing of this turn is confirmed: its transaction has been rolled back.
        const failure = classifyError(err);
        const retried = ctx.query.retry === '1';
        // A failure on our side may pass on a second try; a malformed request or an unknown or ended call will not.
        if (failure.status >= 500 && !retried) {
          logWith(ctx, { err, path: ctx.path, failed: 'voice webhook: trying the turn once more' }, 'error');
          ctx.body = renderRetry(retryUrl(params, ctx));
          return;
        }
        logWith(ctx, { err, path: ctx.path, retried, from: maskPhone(params.From), failed: 'voice webhook' }, 'error');
        const response = voiceError(failure, await apologyFor(readDeps, params.CallSid, params.To));
        respondWith(ctx, response);
        // Twilio plays a 200's TwiML; after a 400 the caller hears the fallback's apology instead.
        if (response.status === 200) app.metrics.apologyPlayed('webhook-failed');
      }
    };

  router.post(
    '/incoming',
    answer(
      async (params, ctx) => {
        const result = await app.calls.incoming(voiceParams(params));
        if (!result.replayed)
          logWith(ctx, { from: maskPhone(params.From), to: maskPhone(params.To), script: result.call.script_id });
        return result;
      },
      () => 'incoming?retry=1',
    ),
  );

  router.post(
    '/turn',
    answer(
      (params, ctx) => {
        const n = String(ctx.query.n ?? '');
        if (!/^\d{1,6}$/.test(n))
          throw new InvalidParameterError('n', `"${n}" is not a turn number`, `turn "${n}" is not a number`);
        const voice = voiceParams(params);
        // A <Redirect> carries no Digits: a retried turn takes the keys from its own (signed) URL.
        if (ctx.query.retry === '1') voice.digits = retriedDigits(ctx.query.digits);
        return app.calls.turn(voice, Number(n));
      },
      (params, ctx) =>
        `turn?n=${encodeURIComponent(String(ctx.query.n))}&digits=${encodeURIComponent(params.Digits ?? '')}&retry=1`,
    ),
  );

  router.post('/status', async (ctx) => {
    // A malformed callback is an InvalidParameterError: the app answers it as a plain-text 400.
    const status = statusParams(ctx.state.params);
    const { result, endedWith } = await app.calls.status(status);
    logWith(ctx, { callSid: status.callSid, callStatus: status.callStatus, result });
    if (endedWith) app.metrics.callEnded(endedWith);
    // Twilio ignores the body of a status callback.
    ctx.status = 204;
  });

  // Twilio's fallback URL: the primary webhook failed or timed out, so apologise rather than go silent.
  router.post('/fallback', async (ctx) => {
    const params = ctx.state.params;
    app.logger.error(
      { callSid: params.CallSid, errorCode: params.ErrorCode, errorUrl: maskNumbersInQuery(params.ErrorUrl ?? '') },
      'Twilio reported a failed webhook',
    );
    ctx.type = 'text/xml';
    ctx.body = await apologyFor(readDeps, params.CallSid, params.To);
    app.metrics.apologyPlayed('fallback');
  });

  return router;
}

function retriedDigits(value: unknown): string {
  const digits = typeof value === 'string' ? value : '';
  if (!/^[0-9*#]{0,64}$/.test(digits)) {
    throw new InvalidParameterError(
      'digits',
      'of a retried turn are not keypad keys',
      'the digits of a retried turn are not keypad keys',
    );
  }
  return digits;
}
