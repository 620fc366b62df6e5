import type Router from '@koa/router';
import { isoTimestamp } from '../../clock.js';
import { MAX_REASON_LENGTH, recordOptOut } from '../../consent/opt-out.js';
import { subscriberStatus } from '../../consent/subscriber-status.js';
import type { AppContext } from '../../context.js';
import { callSidsByReference, findCall } from '../../db/calls.js';
import { callsForNumber, eventsForNumber } from '../../db/desk-lookups.js';
import { CALL_REFERENCE, CALL_SID, callSid } from '../../params/call-id.js';
import { InvalidParameterError } from '../../params/invalid-parameter.js';
import { phoneNumber } from '../../params/phone-number.js';
import { callTranscript, type Transcript } from '../../transcript/transcript.js';
import { type DeskContext, type DeskState, recordAccess, sendPage } from '../desk-context.js';
import { checkedForm } from '../session-middleware.js';
import { CallPage } from '../views/call.js';
import { NumberPage, type NumberPageProps, type RevokeInput } from '../views/number.js';

/** The agent recorded with a desk revoke: the signed-in user, inside the hashed reason so it cannot be changed. */
function agentSuffix(user: string): string {
  return ` (recorded on the desk by ${user})`;
}

export function numberRoutes(router: Router<DeskState>, app: AppContext): void {
  router.get('/number', async (ctx) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
    const country = typeof ctx.query.country === 'string' ? ctx.query.country.trim() : defaultCountry(app);
    const search = { q, country };
    if (q === '') return showNumber(ctx, 200, { search });
    if (CALL_SID.test(q)) return goToCall(ctx, callSid(q));
    if (CALL_REFERENCE.test(q)) {
      const sids = await callSidsByReference(app.store.db, q);
      await recordAccess(app, ctx, { action: 'reference.lookup', target: q, detail: `${sids.length} call(s)` });
      if (sids.length === 1) return goToCall(ctx, sids[0] as string);
      if (sids.length === 0) return showNumber(ctx, 404, { search, error: `No call has the reference ${q}.` });
      const calls = [];
      for (const sid of sids) {
        const call = await findCall(app.store.db, sid);
        if (call) calls.push(call);
      }
      return showNumber(ctx, 200, { search, calls });
    }
    let phone: string;
    try {
      phone = phoneNumber(q, country === '' ? undefined : country, 'number');
    } catch (err) {
      if (!(err instanceof InvalidParameterError)) throw err;
      return showNumber(ctx, 400, { search, error: sentence(err.message) });
    }
    await recordAccess(app, ctx, { action: 'number.lookup', target: phone });
    const revoked = typeof ctx.query.revoked === 'string' ? ctx.query.revoked : undefined;
    return showNumber(ctx, 200, {
      search: { q: phone, country },
      notice: revoked ? `Opt-out recorded: ${revoked}.` : undefined,
      result: await numberResult(app, phone, ctx.state.desk?.user ?? ''),
    });
  });

  router.get('/calls/:sid', async (ctx) => {
    const sid = ctx.params.sid as string;
    if (!CALL_SID.test(sid)) ctx.throw(404, `"${sid}" is not a CallSid (CA and 32 hex digits)`);
    const transcript = await callTranscript(app.store.db, callSid(sid));
    if (!transcript) return ctx.throw(404, `no call ${sid} in the ledger`);
    await recordAccess(app, ctx, { action: 'call.view', target: transcript.call.call_sid });
    const desk = ctx.state.desk;
    if (desk) sendPage(ctx, 200, CallPage({ user: { name: desk.user, csrf: desk.csrf }, transcript }));
  });

  router.post('/number/revoke', async (ctx) => {
    const form = await checkedForm(ctx);
    const user = ctx.state.desk?.user as string;
    const phone = phoneNumber(form.phone ?? '', undefined, 'phone');
    const input: RevokeInput = {
      business: form.business ?? '',
      category: form.category ?? '',
      reason: form.reason ?? '',
    };
    const suffix = agentSuffix(user);
    const reason = input.reason.trim();
    const fail = async (message: string) =>
      showNumber(ctx, 400, {
        search: { q: phone, country: defaultCountry(app) },
        error: message,
        result: await numberResult(app, phone, user, input),
      });
    if (reason === '') return fail('Give a reason for the opt-out: it is kept in the ledger.');
    if (reason.length + suffix.length > MAX_REASON_LENGTH) {
      return fail(`The reason may have at most ${MAX_REASON_LENGTH - suffix.length} characters.`);
    }
    let events: Awaited<ReturnType<typeof recordOptOut>>;
    try {
      // The same durable write as the phone line's and the API's opt-outs (group commit).
      events = await app.store.write((trx) =>
        recordOptOut(
          trx,
          { scripts: app.scripts.all, recordedAt: isoTimestamp(app.clock.now()), newId: () => app.ids.uuid() },
          {
            phone,
            business: input.business,
            category: input.category === '' ? undefined : input.category,
            reason: `${reason}${suffix}`,
            source: 'agent',
          },
        ),
      );
    } catch (err) {
      if (err instanceof InvalidParameterError) return fail(sentence(err.message));
      throw err;
    }
    const summary = `${events[0]?.business ?? input.business}: ${events.map((e) => `${e.category} (seq ${e.seq})`).join(', ')}`;
    await recordAccess(app, ctx, { action: 'revoke', target: phone, detail: summary });
    ctx.redirect(`/desk/number?${new URLSearchParams({ q: phone, revoked: summary })}`);
    ctx.status = 303;
  });
}

async function numberResult(
  app: AppContext,
  phone: string,
  user: string,
  form?: RevokeInput,
): Promise<NonNullable<NumberPageProps['result']>> {
  const db = app.store.db;
  const [status, history] = await Promise.all([subscriberStatus(db, phone), eventsForNumber(db, phone)]);
  const sids = [...new Set(history.flatMap((e) => (e.call_sid ? [e.call_sid] : [])))];
  const transcripts: Transcript[] = [];
  for (const call of await callsForNumber(db, phone, sids)) {
    const t = await callTranscript(db, call.call_sid);
    if (t) transcripts.push(t);
  }
  const categories = new Map<string, Set<string>>();
  const note = (business: string, category: string) => {
    const set = categories.get(business) ?? new Set<string>();
    set.add(category);
    categories.set(business, set);
  };
  for (const e of history) note(e.business, e.category);
  for (const s of app.scripts.all) for (const l of s.languages) for (const c of l.categories) note(s.business, c.id);
  const businesses = [...categories.entries()]
    .map(([business, set]) => ({ business, categories: [...set].sort() }))
    .sort((a, b) => a.business.localeCompare(b.business));
  return {
    status,
    history,
    transcripts,
    revoke: {
      businesses,
      reasonMax: MAX_REASON_LENGTH - agentSuffix(user).length,
      ...(form ? { form } : {}),
    },
  };
}

function showNumber(ctx: DeskContext, status: number, props: Omit<NumberPageProps, 'user'>): void {
  const desk = ctx.state.desk;
  if (!desk) return;
  sendPage(ctx, status, NumberPage({ user: { name: desk.user, csrf: desk.csrf }, ...props }));
}

function goToCall(ctx: DeskContext, sid: string): void {
  ctx.redirect(`/desk/calls/${sid}`);
  ctx.status = 303;
}

/** The region a number written without its country code is read in: the default line's country. */
function defaultCountry(app: AppContext): string {
  return app.scripts.all.find((s) => s.default)?.country ?? '';
}

function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return text.endsWith('.') ? text : `${text}.`;
}
