import type { AddressInfo } from 'node:net';
import { createApp } from '../app.js';
import { buildContext } from '../bootstrap.js';
import type { Config } from '../config.js';
import { eventsForCall } from '../db/ledger.js';
import type { Logger } from '../logger.js';
import type { CallTarget } from './call-target.js';

/**
 * The real app, started in this process on an ephemeral loopback port against the configured database. With
 * PUBLIC_BASE_URL set the server checks signatures against that URL, so requests are signed for it and delivered
 * to the local port, as through the operator's proxy.
 */
export async function startInProcess(config: Config, logger: Logger): Promise<CallTarget> {
  const context = await buildContext(config, logger);
  const server = createApp(context).listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  } catch (err) {
    await context.store.close();
    throw err;
  }
  const localUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    publicUrl: config.publicBaseUrl ?? localUrl,
    localUrl,
    events: async (callSid) => ({ rows: await eventsForCall(context.store.db, callSid) }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await context.store.close();
    },
  };
}
