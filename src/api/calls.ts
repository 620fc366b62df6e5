import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { InvalidParameterError } from '../export/invalid-parameter.js';
import { CALL_REFERENCE, CALL_SID, callTranscript, resolveCall } from '../transcript/transcript.js';
import { queryParams } from './query.js';

export function callRoutes(router: Router, app: AppContext): void {
  // The CallSid, or the 8-digit reference the caller heard, as `optin-ivr show` accepts.
  router.get('/calls/:callSid', async (ctx) => {
    queryParams(ctx as unknown as Context, []);
    const id = ctx.params.callSid as string;
    if (!CALL_SID.test(id) && !CALL_REFERENCE.test(id)) {
      throw new InvalidParameterError(
        'callSid',
        `"${id}" is neither a CallSid (CA and 32 hex digits) nor an 8-digit reference`,
      );
    }
    const sids = await resolveCall(app.store.db, id);
    if (sids.length > 1) {
      // 8 digits can repeat: name every call rather than pick one.
      ctx.status = 409;
      ctx.body = {
        error: 'ambiguous_reference',
        message: `reference ${id} belongs to ${sids.length} calls: ask for one by its CallSid`,
        call_sids: sids,
      };
      return;
    }
    const transcript = sids[0] === undefined ? undefined : await callTranscript(app.store.db, sids[0]);
    if (!transcript) {
      ctx.status = 404;
      ctx.body = {
        error: 'not_found',
        message: CALL_REFERENCE.test(id) ? `no call has the reference ${id}` : `no call ${id}`,
      };
      return;
    }
    ctx.body = { ...transcript, ledger: app.ledger.last };
  });
}
