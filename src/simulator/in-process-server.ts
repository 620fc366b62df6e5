import { createApp } from '../app.js';
import type { Config } from '../config.js';
import { createAppContext } from '../context.js';
import { eventsForCall } from '../db/ledger.js';
import { type Listening, listen } from '../http/listen.js';
import type { Logger } from '../logger.js';
import type { CallTarget } from './call-target.js';

/**
 * The real app, started in this process on an ephemeral loopback port against the configured database. With
 * PUBLIC_BASE_URL set the server checks signatures against that URL, so requests are signed for it and delivered
 * to the local port, as through the operator's proxy.
 */
export async function startInProcess(config: Config, logger: Logger): Promise<CallTarget> {
  const context = await createAppContext(config, logger);
  let server: Listening;
  try {
    server = await listen(createApp(context), { host: '127.0.0.1', port: 0 });
  } catch (err) {
    await context.close();
    throw err;
  }
  return {
    publicUrl: config.publicBaseUrl ?? server.url,
    localUrl: server.url,
    events: async (callSid) => ({ rows: await eventsForCall(context.store.db, callSid) }),
    close: async () => {
      await server.close({ force: true });
      await context.close();
    },
  };
}
