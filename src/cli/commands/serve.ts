import type { Command } from 'commander';
import { CONFIG_VARIABLES, type Config, loadConfig } from '../../config.js';
import type { AppContext } from '../../context.js';
import { createLogger, type Logger } from '../../logger.js';

export function serveCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('serve')
    .description('run the phone line (what `npm start` runs)')
    .addHelpText('after', environmentHelp)
    .action(async () => {
      const config = loadConfig(env);
      const logger = createLogger(config.logLevel);
      warnOnDevelopmentToken(config, logger);
      // Loaded here, not at the top: the app pulls in the Twilio library, which would slow every other command.
      const { createAppContext } = await import('../../context.js');
      const { createApp } = await import('../../app.js');
      const { listen } = await import('../../http/listen.js');
      let threadStopped: (err: Error) => void = () => undefined;
      const threadStop = new Promise<Error>((resolve) => {
        threadStopped = resolve;
      });
      const context = await createAppContext(config, logger, {
        callThread: config.callThread,
        onCallThreadStopped: (err) => threadStopped(err),
      });
      await startBackgroundChecks(context);
      const server = await listen(createApp(context), { host: config.host, port: config.port }).catch(
        async (err: unknown) => {
          // A port in use: the database is closed before the error is reported and the process exits.
          await context.close();
          throw err;
        },
      );
      logger.info(
        {
          url: server.url,
          database: context.store.location,
          scripts: context.scripts.all.map((s) => s.id),
          callThread: context.calls.onThread,
        },
        'optin-ivr is listening',
      );
      const stop = await Promise.race([stopSignal(), threadStop]);
      let failed = false;
      if (stop instanceof Error) {
        // Every call would hear the apology from now on: stop, so that whatever supervises the process restarts it.
        failed = true;
        logger.fatal({ err: stop }, 'the call thread stopped: stopping the server');
      } else logger.info({ signal: stop }, 'stopping: finishing requests in flight');
      try {
        await server.close();
      } catch (err) {
        failed = true;
        logger.error({ err }, 'the server did not close cleanly');
      }
      try {
        await context.close();
      } catch (err) {
        failed = true;
        logger.error({ err }, 'the database did not close cleanly');
      }
      // Writes committed and the transactions they shared: the mean batch size under the day's load.
      logger.info({ ...context.store.writeStats(), ...context.writeCounts() }, 'stopped');
      process.exitCode = failed ? 1 : 0;
    });
}

function warnOnDevelopmentToken(config: Config, logger: Logger): void {
  if (!config.usingDevAuthToken) return;
  logger.warn(
    'TWILIO_AUTH_TOKEN is not set: using the local development token. Real Twilio requests will be refused (403).',
  );
}

/**
 * The ledger is verified at start (in the background, so a long ledger does not delay the line), then
 * incrementally; checkpoints are signed on schedule when a key and an interval are configured. `context.close()`
 * stops both.
 */
async function startBackgroundChecks(context: AppContext): Promise<void> {
  const { config, logger, ledger, signer } = context;
  ledger.start(config.verifyEverySeconds);
  if (!signer || config.checkpointEverySeconds === undefined) return;
  const { scheduleCheckpoints } = await import('../../evidence/checkpoint-schedule.js');
  const schedule = scheduleCheckpoints({
    db: context.store.db,
    logger,
    ledger,
    signer,
    everySeconds: config.checkpointEverySeconds,
    dir: config.checkpointDir,
    postUrl: config.checkpointPostUrl,
  });
  context.onClose(() => schedule.stop());
}

/** Resolves with the first SIGTERM or SIGINT; a second, different one is then ignored while the server stops. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
}

/** Configuration comes from the environment only: list what it reads, as the configuration describes it. */
function environmentHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const lines = CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.description}`);
  return `\nEnvironment variables (checked at start-up; a bad value stops it):\n${lines.join('\n')}\n`;
}
