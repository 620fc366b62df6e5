import type { Server } from 'node:http';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';

export function serveCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('serve')
    .description('run the phone line (what `npm start` runs)')
    .action(async () => {
      const config = loadConfig(env);
      const logger = createLogger(config.logLevel);
      if (config.usingDevAuthToken) {
        logger.warn(
          'TWILIO_AUTH_TOKEN is not set: using the local development token. Real Twilio requests will be refused (403).',
        );
      }
      // Loaded here, not at the top: the app pulls in the Twilio library, which would slow every other command.
      const { buildContext } = await import('../../bootstrap.js');
      const { createApp } = await import('../../app.js');
      const context = await buildContext(config, logger);
      const server = createApp(context).listen(config.port, config.host);
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info(
        {
          url: `http://${config.host}:${port}`,
          database: context.store.location,
          scripts: context.scripts.all.map((s) => s.id),
        },
        'optin-ivr is listening',
      );
      shutdownOnSignal(server, async () => context.store.close(), context.store.writeStats, logger);
    });
}

function shutdownOnSignal(
  server: Server,
  close: () => Promise<void>,
  // Writes committed and the transactions they shared: the mean batch size under the day's load.
  writeStats: () => Record<string, number>,
  logger: ReturnType<typeof createLogger>,
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    // close() stops accepting and waits for requests in flight; idle keep-alive sockets would hold it open.
    server.close(async (err) => {
      await close();
      logger.info(writeStats(), 'stopped');
      process.exitCode = err ? 1 : 0;
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
