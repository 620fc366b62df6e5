import type { Server } from 'node:http';
import type { Command } from 'commander';
import { CONFIG_VARIABLES, loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';

export function serveCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('serve')
    .description('run the phone line (what `npm start` runs)')
    .addHelpText('after', environmentHelp)
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
      // Verified at start (in the background, so a long ledger does not delay the line), then incrementally.
      context.ledger.start(config.verifyEverySeconds);
      const schedule =
        context.signer && config.checkpointEverySeconds !== undefined
          ? (await import('../../evidence/checkpoint-schedule.js')).scheduleCheckpoints({
              db: context.store.db,
              logger,
              ledger: context.ledger,
              signer: context.signer,
              everySeconds: config.checkpointEverySeconds,
              dir: config.checkpointDir,
              postUrl: config.checkpointPostUrl,
            })
          : undefined;
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
      shutdownOnSignal(
        server,
        async () => {
          context.ledger.stop();
          schedule?.stop();
          context.metrics.close();
          await context.store.close();
        },
        context.store.writeStats,
        logger,
      );
    });
}

/** Configuration comes from the environment only: list what it reads, as the configuration describes it. */
function environmentHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const lines = CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.description}`);
  return `\nEnvironment variables (checked at start-up; a bad value stops it):\n${lines.join('\n')}\n`;
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
