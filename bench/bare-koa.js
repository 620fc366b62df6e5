// @ts-check
// The baseline: Koa on its own, answering every POST with one fixed TwiML document after reading the body.
// It shows what this machine, this Node and the load generator allow before any work of ours is done.
import Koa from 'koa';

const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" action="turn?n=1" method="POST" ' +
  'timeout="5" actionOnEmptyResult="true" numDigits="1" finishOnKey=""><Say voice="Polly.Joanna-Neural" ' +
  'language="en-US">Welcome. To agree, press 1.</Say></Gather></Response>';

const koa = new Koa();
koa.use(async (ctx) => {
  for await (const _ of ctx.req);
  ctx.type = 'text/xml';
  ctx.body = TWIML;
});
const server = koa.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
