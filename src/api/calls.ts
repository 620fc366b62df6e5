import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { InvalidParameterError } from '../export/invalid-parameter.js';
import { CALL_SID, callSid, callTranscript } from '../transcript/transcript.js';
import { queryParams } from './query.js';

export function callRoutes(router: Router, app: AppContext): void {
  router.get('/calls/:callSid', async (ctx) => {
    queryParams(ctx as unknown as Context, []);
    const sid = ctx.params.callSid as string;
    if (!CALL_SID.test(sid))
      throw new InvalidParameterError('callSid', `"${sid}" is not a CallSid (CA and 32 hex digits)`);
    const transcript = await callTranscript(app.store.db, callSid(sid));
    if (!transcript) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', message: `no call ${sid}` };
      return;
    }
    ctx.body = { ...transcript, ledger: app.ledger.last };
  });
}
