import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { maskNumbersInQuery, maskPhone } from '../phone/phone.js';
import { type Answer, answerIncoming, answerTurn, CallNotFoundError, recordStatus } from './call-service.js';
import { apologyFor } from './failure-answer.js';
import { requireTwilioSignature } from './signature.js';
import { renderRetry } from './twiml.js';
import { BadWebhookError, statusParams, voiceParams } from './webhook-params.js';

/** The webhooks Twilio calls. Every request must carry a valid Twilio signature; there is no switch to skip it. */
export function voiceRouter(app: AppContext): Router {
  const router = new Router({ prefix: '/voice' });
  const deps = { db: app.store.db, scripts: app.scripts, clock: app.clock, ids: app.ids };

  // Checked before anything else runs, so a forged request cannot reach the database.
  router.use(requireTwilioSignature(app));

  /**
   * Runs a webhook and answers its TwiML. A turn whose write fails is tried once more by a `<Redirect>` to
   * `retryUrl` (the same turn, with the keys pressed in the URL, which Twilio signs); if that fails too, the
   * caller hears an apology that names what this call has already saved.
   */
  const answer =
    (
      handle: (params: Record<string, string>, ctx: Context) => Promise<Answer>,
      retryUrl: (params: Record<string, string>, ctx: Context) => string,
    ) =>
    async (ctx: Context) => {
      const params = ctx.state.params as Record<string, string>;
      const log = app.logger.child({ callSid: params.CallSid });
      ctx.type = 'text/xml';
      try {
        const result = await handle(params, ctx);
        for (const e of result.events) {
          log.info(
            { seq: e.seq, decision: e.decision, category: e.category, phone: maskPhone(e.phone_number) },
            'consent event recorded',
          );
        }
        app.metrics.consentRecorded(result.events);
        if (result.replayed) log.info({ path: ctx.path }, 'repeated request answered with the earlier answer');
        ctx.body = result.twiml;
      } catch (err) {
        // Nothing of this turn is confirmed: its transaction has been rolled back.
        const retried = ctx.query.retry === '1';
        const worthRetrying = !(err instanceof BadWebhookError || err instanceof CallNotFoundError);
        if (worthRetrying && !retried) {
          log.error({ err, path: ctx.path }, 'voice webhook failed: trying the turn once more');
          ctx.body = renderRetry(retryUrl(params, ctx));
          return;
        }
        log.error({ err, path: ctx.path, retried, from: maskPhone(params.From) }, 'voice webhook failed');
        ctx.status = err instanceof BadWebhookError ? 400 : 200;
        // Twilio plays a 200's TwiML; after a 400 the caller hears the fallback's apology instead.
        if (ctx.status === 200) app.metrics.apologyPlayed('webhook-failed');
        ctx.body = await apologyFor(deps, params.CallSid, params.To);
      }
    };

  router.post(
    '/incoming',
    answer(
      async (params) => {
        const result = await answerIncoming(deps, voiceParams(params));
        if (!result.replayed) {
          app.logger.info(
            {
              callSid: params.CallSid,
              from: maskPhone(params.From),
              to: maskPhone(params.To),
              script: result.call.script_id,
            },
            'call answered',
          );
        }
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
        if (!/^\d{1,6}$/.test(n)) throw new BadWebhookError(`turn "${n}" is not a number`);
        const voice = voiceParams(params);
        // A <Redirect> carries no Digits: a retried turn takes the keys from its own (signed) URL.
        if (ctx.query.retry === '1') voice.digits = retriedDigits(ctx.query.digits);
        return answerTurn(deps, voice, Number(n));
      },
      (params, ctx) =>
        `turn?n=${encodeURIComponent(String(ctx.query.n))}&digits=${encodeURIComponent(params.Digits ?? '')}&retry=1`,
    ),
  );

  router.post('/status', async (ctx) => {
    const params = ctx.state.params as Record<string, string>;
    try {
      const status = statusParams(params);
      const { result, endedWith } = await recordStatus(deps, status);
      app.logger.info({ callSid: status.callSid, callStatus: status.callStatus, result }, 'call status');
      if (endedWith) app.metrics.callEnded(endedWith);
    } catch (err) {
      if (!(err instanceof BadWebhookError)) throw err;
      ctx.throw(400, err.message);
    }
    // Twilio ignores the body of a status callback.
    ctx.status = 204;
  });

  // Twilio's fallback URL: the primary webhook failed or timed out, so apologise rather than go silent.
  router.post('/fallback', async (ctx) => {
    const params = ctx.state.params as Record<string, string>;
    app.logger.error(
      { callSid: params.CallSid, errorCode: params.ErrorCode, errorUrl: maskNumbersInQuery(params.ErrorUrl ?? '') },
      'Twilio reported a failed webhook',
    );
    ctx.type = 'text/xml';
    ctx.body = await apologyFor(deps, params.CallSid, params.To);
    app.metrics.apologyPlayed('fallback');
  });

  return router;
}

function retriedDigits(value: unknown): string {
  const digits = typeof value === 'string' ? value : '';
  if (!/^[0-9*#]{0,64}$/.test(digits)) throw new BadWebhookError('the digits of a retried turn are not keypad keys');
  return digits;
}
