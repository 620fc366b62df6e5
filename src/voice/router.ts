import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { findCall } from '../db/calls.js';
import { readForm } from '../http/form.js';
import { maskPhone } from '../phone/phone.js';
import { type Answer, answerIncoming, answerTurn, recordStatus } from './call-service.js';
import { hasValidSignature } from './signature.js';
import { renderApology } from './twiml.js';
import { BadWebhookError, statusParams, voiceParams } from './webhook-params.js';

/** The webhooks Twilio calls. Every request must carry a valid Twilio signature; there is no switch to skip it. */
export function voiceRouter(app: AppContext): Router {
  const router = new Router({ prefix: '/voice' });
  const deps = { db: app.store.db, scripts: app.scripts, clock: app.clock, ids: app.ids };

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
        if (result.replayed) log.info({ path: ctx.originalUrl }, 'repeated request answered with the earlier answer');
        ctx.body = result.twiml;
      } catch (err) {
        // The caller hears an apology and nothing is confirmed; the transaction has been rolled back.
        log.error({ err, path: ctx.originalUrl, from: maskPhone(params.From) }, 'voice webhook failed');
        ctx.status = err instanceof BadWebhookError ? 400 : 200;
        ctx.body = await apologyFor(app, params);
      }
    };

  router.post(
    '/incoming',
    answer(async (params) => {
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
      app.logger.info({ callSid: status.callSid, callStatus: status.callStatus, result }, 'call status');
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
      { callSid: params.CallSid, errorCode: params.ErrorCode, errorUrl: params.ErrorUrl },
      'Twilio reported a failed webhook',
    );
    ctx.type = 'text/xml';
    ctx.body = await apologyFor(app, params);
  });

  return router;
}

/** The apology of the script that answers this line, in the language the caller chose (else its first). */
async function apologyFor(app: AppContext, params: Record<string, string>): Promise<string> {
  const script = app.scripts.forNumber(params.To);
  // Best effort: an apology must go out even when the database cannot be read.
  const language = await findCall(app.store.db, params.CallSid ?? '').then(
    (call) => call?.language,
    () => undefined,
  );
  const lang = script.languages.find((l) => l.language === language) ?? script.languages[0];
  return lang ? renderApology(lang.prompts.error, lang) : renderApology();
}
