import { runCli } from './run-cli.js';

// `optin-ivr … | head` closes the pipe early: the reader has what it wanted, which is not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2), process.env, process);
// `serve` keeps running after its command resolves; it sets its own exit code when it stops.
if (code !== 0) process.exit(code);
