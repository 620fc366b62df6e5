import { createHash } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import { z } from 'zod';
import { isoTimestamp } from '../clock.js';
import { MAX_REASON_LENGTH, recordOptOut } from '../consent/opt-out.js';
import { subscriberStatus } from '../consent/subscriber-status.js';
import type { AppContext } from '../context.js';
import { findIdempotentAnswer, saveIdempotentAnswer } from '../db/idempotency.js';
import type { ConsentEvent } from '../db/schema.js';
import { buildProof } from '../evidence/proof.js';
import { orderedRow } from '../export/columns.js';
import { isClientGone } from '../http/client-gone.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { phoneNumber } from '../params/phone-number.js';
import { queryParams } from '../params/query.js';
import { maskPhone } from '../phone/phone.js';
import { sendError } from './json-errors.js';

const optOutBody = z.strictObject({
  business: z.string().trim().min(1).max(200),
  category: z.string().trim().min(1).max(200).optional(),
  reason: z.string().trim().min(1).max(MAX_REASON_LENGTH),
});

// Printable ASCII, as the IETF draft on the Idempotency-Key header expects; long enough for any UUID scheme.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const JSON_LIMIT = '16kb';

/** What the sending system asks: may I message this number, and this number has opted out. */
export function subscriberRoutes(router: Router, app: AppContext): void {
  router.get('/subscribers/:phone', async (ctx) => {
    const { country } = queryParams(ctx.query, ['country']);
    const phone = phoneNumber(ctx.params.phone as string, country);
    // The answer is only as good as the ledger: say whether it verified rather than answering as if all were well.
    ctx.body = { ...(await subscriberStatus(app.store.db, phone)), ledger: app.ledger.last };
  });

  router.get('/subscribers/:phone/proof', async (ctx) => {
    const { country, business } = queryParams(ctx.query, ['country', 'business']);
    const phone = phoneNumber(ctx.params.phone as string, country);
    const refuse = (status: number, code: string, message: string) =>
      sendError(ctx, { status, code, message, shown: true });
    if (!app.signer) return refuse(503, 'no_signing_key', 'proofs need a signing key: set CHECKPOINT_KEY_FILE');
    const verification = await app.ledger.checkNew();
    if (!verification.verified) {
      return refuse(503, 'ledger_not_verified', `the ledger does not verify: ${verification.problem}`);
    }
    // Nothing recorded for the number is a NothingToProveError: 404.
    const proof = await buildProof(app.store.db, {
      phone,
      signer: app.signer,
      ...(business === undefined ? {} : { business: business.trim() }),
    });
    ctx.set('Content-Disposition', 'attachment; filename="consent-proof.json"');
    ctx.body = proof;
  });

  router.post(
    '/subscribers/:phone/opt-out',
    async (ctx, next) => {
      if (!ctx.is('application/json')) ctx.throw(415, 'send the opt-out as application/json');
      await next();
    },
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: JSON_LIMIT,
      onError: (err) => {
        if (isClientGone(err)) throw err;
        // raw-body's 413 is the body's size, not its syntax: say which.
        if ((err as { status?: number }).status === 413) {
          throw Object.assign(new Error(`body is larger than ${JSON_LIMIT}: an opt-out needs far less`), {
            status: 413,
            expose: true,
          });
        }
        throw new InvalidParameterError('body', 'is not valid JSON');
      },
    }),
    async (ctx) => {
      const { country } = queryParams(ctx.query, ['country']);
      const phone = phoneNumber(ctx.params.phone as string, country);
      const parsed = optOutBody.safeParse(ctx.request.body);
      if (!parsed.success) throw bodyError(parsed.error.issues[0]);
      // Koa's ctx.get() answers '' for a missing header too: a blank key sent on purpose must not mean "no key".
      const key = ctx.headers['idempotency-key'] as string | undefined;
      if (key !== undefined && key.trim() === '') {
        throw new InvalidParameterError(
          'Idempotency-Key',
          'is empty: send 1 to 255 printable ASCII characters, or leave the header out',
        );
      }
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new InvalidParameterError('Idempotency-Key', 'must be 1 to 255 printable ASCII characters');
      }
      const request = { phone, ...parsed.data, source: 'api' as const };
      const fingerprint = createHash('sha256')
        .update(JSON.stringify(['opt-out', phone, request.business, request.category ?? null, request.reason]))
        .digest('hex');
      const now = isoTimestamp(app.clock.now());
      let recorded: ConsentEvent[] = [];
      // Shares a transaction with the phone line's writes (group commit); may run twice if a shared one fails.
      const answer = await app.store.write(async (trx) => {
        // Looked up inside the write lock: two retries racing each other cannot both record.
        const prior = key === undefined ? undefined : await findIdempotentAnswer(trx, key);
        if (prior) return { ...prior, replayed: true };
        const events = await recordOptOut(
          trx,
          { scripts: app.scripts.all, recordedAt: now, newId: () => app.ids.uuid() },
          request,
        );
        recorded = events;
        const body = JSON.stringify({ phone_number: phone, events: events.map(orderedRow) });
        if (key !== undefined)
          await saveIdempotentAnswer(trx, { key, fingerprint, status: 201, body, created_at: now });
        return { fingerprint, status: 201, body, replayed: false, seqs: events.map((e) => e.seq) };
      });
      if (!answer.replayed) {
        app.logger.info(
          { phone: maskPhone(phone), business: request.business, seqs: answer.seqs },
          'opt-out recorded via API',
        );
      }
      if (answer.fingerprint !== fingerprint) {
        return sendError(ctx, {
          status: 422,
          code: 'idempotency_key_reused',
          parameter: 'Idempotency-Key',
          message: 'this Idempotency-Key was used for a different request',
          shown: true,
        });
      }
      // Counted once committed, never for a replay.
      if (!answer.replayed) app.metrics.consentRecorded(recorded);
      if (answer.replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = answer.status;
      ctx.type = 'application/json';
      ctx.body = answer.body;
    },
  );
}

function bodyError(issue: z.core.$ZodIssue | undefined): InvalidParameterError {
  if (issue?.code === 'unrecognized_keys') {
    return new InvalidParameterError(
      issue.keys.join(', '),
      'is not a field of an opt-out (send business, category, reason)',
    );
  }
  const field = issue?.path.join('.') || 'body';
  if (issue?.code === 'invalid_type' && /received undefined/.test(issue.message))
    return new InvalidParameterError(field, 'is required');
  if (issue?.code === 'invalid_type') return new InvalidParameterError(field, `must be ${issue.expected}`);
  return new InvalidParameterError(
    field,
    issue?.message.replace(/^Too (small|big): expected string to have /, 'must have ') ?? 'is invalid',
  );
}
