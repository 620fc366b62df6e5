import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { readForm } from '../http/form.js';
import { logWith } from '../http/request-log.js';
import { maskPhone } from '../phone/phone.js';
import { type Answer, answerIncoming, answerTurn, recordStatus } from './call-service.js';
import { hasValidSignature } from './signature.js';
import { renderApology } from './twiml.js';
import { BadWebhookError, statusParams, voiceParams } from './webhook-params.js';

/** The webhooks Twilio calls. Every request must carry a valid Twilio signature; there is no switch to skip it. */
export function voiceRouter(app: AppContext): Router {
  const router = new Router({ prefix: '/voice' });
  const deps = { write: app.store.write, scripts: app.scripts, clock: app.clock, ids: app.ids };

  // Checked before anything else runs, so a forged request cannot reach the database.
  router.use(async (ctx, next) => {
    const params = await readForm(ctx);
    const signatureOptions = { authToken: app.config.twilioAuthToken, publicBaseUrl: app.config.publicBaseUrl };
    if (!hasValidSignature(ctx, params, signatureOptions)) {
      app.logger.warn(
        { path: ctx.path, callSid: params.CallSid },
        'rejected a voice webhook without a valid signature',
      );
      ctx.throw(403, 'invalid or missing X-Twilio-Signature');
    }
    ctx.state.params = params;
    await next();
  });

  const answer =
    (handle: (params: Record<string, string>, ctx: Context) => Promise<Answer>) => async (ctx: Context) => {
      const params = ctx.state.params as Record<string, string>;
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
        // A repeated request answered with the earlier answer.
        if (result.replayed) logWith(ctx, { replayed: true, path: ctx.originalUrl });
        ctx.body = result.twiml;
      } catch (err) {
        // The caller hears an apology and nothing is confirmed; the transaction has been rolled back.
        logWith(ctx, { err, path: ctx.originalUrl, from: maskPhone(params.From), failed: 'voice webhook' }, 'error');
        ctx.status = err instanceof BadWebhookError ? 400 : 200;
        ctx.body = apologyFor(app, params.To);
      }
    };

  router.post(
    '/incoming',
    answer(async (params, ctx) => {
      const result = await answerIncoming(deps, voiceParams(params));
      if (!result.replayed) {
        logWith(ctx, { from: maskPhone(params.From), to: maskPhone(params.To), script: result.call.script_id });
      }
      return result;
    }),
  );

  router.post(
    '/turn',
    answer((params, ctx) => {
      const n = String(ctx.query.n ?? '');
      if (!/^\d{1,6}$/.test(n)) throw new BadWebhookError(`turn "${n}" is not a number`);
      return answerTurn(deps, voiceParams(params), Number(n));
    }),
  );

  router.post('/status', async (ctx) => {
    const params = ctx.state.params as Record<string, string>;
    try {
      const status = statusParams(params);
      const result = await recordStatus(deps, status);
      logWith(ctx, { callSid: status.callSid, callStatus: status.callStatus, result });
    } catch (err) {
      if (!(err instanceof BadWebhookError)) throw err;
      ctx.throw(400, err.message);
    }
    // Twilio ignores the body of a status callback.
    ctx.status = 204;
  });

  // Twilio's fallback URL: the primary webhook failed or timed out, so apologise rather than go silent.
  router.post('/fallback', (ctx) => {
    const params = ctx.state.params as Record<string, string>;
    logWith(
      ctx,
      { callSid: params.CallSid, errorCode: params.ErrorCode, errorUrl: params.ErrorUrl, failed: 'Twilio reported it' },
      'error',
    );
    ctx.type = 'text/xml';
    ctx.body = apologyFor(app, params.To);
  });

  return router;
}

/** The apology of the script that answers this line, in its voice. */
function apologyFor(app: AppContext, to: string | undefined): string {
  const lang = app.scripts.forNumber(to).languages[0];
  return lang ? renderApology(lang.prompts.error, lang) : renderApology();
}
