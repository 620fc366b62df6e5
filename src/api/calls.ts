import type Router from '@koa/router';
import type { AppContext } from '../context.js';
import { CALL_REFERENCE, callIdOrReference } from '../params/call-id.js';
import { queryParams } from '../params/query.js';
import { AmbiguousReferenceError, callTranscript, resolveCall } from '../transcript/transcript.js';
import { CallNotFoundError } from '../voice/call-service.js';

export function callRoutes(router: Router, app: Pick<AppContext, 'store' | 'ledger'>): void {
  // The CallSid, or the 8-digit reference the caller heard, as `optin-ivr show` accepts.
  router.get('/calls/:callSid', async (ctx) => {
    queryParams(ctx.query, []);
    const id = callIdOrReference(ctx.params.callSid as string);
    const sids = await resolveCall(app.store.db, id);
    // 8 digits can repeat: name every call rather than pick one.
    if (sids.length > 1) throw new AmbiguousReferenceError(id, sids);
    const transcript = sids[0] === undefined ? undefined : await callTranscript(app.store.db, sids[0]);
    if (!transcript) {
      throw new CallNotFoundError(CALL_REFERENCE.test(id) ? `no call has the reference ${id}` : `no call ${id}`);
    }
    ctx.body = { ...transcript, ledger: app.ledger.last };
  });
}
