import type { Command } from 'commander';
import { isoTimestamp, systemClock } from '../../clock.js';
import { loadConfig } from '../../config.js';
import { deleteDeskUser, findDeskUser, insertDeskUser, listDeskUsers, setDeskPassword } from '../../db/desk-users.js';
import { hashPassword, passwordProblem } from '../../desk/password.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';

/** Plain enough to show in logs, the access log and a revoke's reason without any escaping surprises. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function usersCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  const users = program
    .command('users')
    .description('the people who may sign in to the consent desk at /desk (without any, /desk answers 404)');

  users
    .command('add')
    .description('add a desk user; asks for the password twice (hidden) unless --password-stdin')
    .argument('<name>', 'the user name, e.g. maria.lopez')
    .option('--password-stdin', 'read the password from standard input (first line), for scripts')
    .action(async (name: string, options: { passwordStdin?: boolean }) => {
      checkName(name);
      const config = loadConfig(env);
      await withExistingStore(
        config,
        async (store) => {
          if (await findDeskUser(store.db, name)) {
            throw new UsageError(`desk user "${name}" exists already: use \`optin-ivr users passwd ${name}\``);
          }
          const password = await newPassword(name, options.passwordStdin === true, io);
          const at = isoTimestamp(systemClock.now());
          await insertDeskUser(store.db, { name, password_hash: await hashPassword(password), at });
          io.stdout.write(`added desk user ${name}\n`);
        },
        { write: true },
      );
    });

  users
    .command('list')
    .description('list the desk users')
    .action(async () => {
      await withExistingStore(loadConfig(env), async (store) => {
        const all = await listDeskUsers(store.db);
        if (all.length === 0) {
          io.stdout.write('no desk users: /desk answers 404 until one is added with `optin-ivr users add`\n');
          return;
        }
        for (const u of all) {
          io.stdout.write(`${u.name}\tadded ${u.created_at}\tpassword set ${u.password_changed_at}\n`);
        }
      });
    });

  users
    .command('remove')
    .description('remove a desk user and end their sessions')
    .argument('<name>', 'the user name')
    .action(async (name: string) => {
      await withExistingStore(
        loadConfig(env),
        async (store) => {
          if (!(await deleteDeskUser(store.db, name))) throw new UsageError(`no desk user "${name}"`);
          const left = (await listDeskUsers(store.db)).length;
          io.stdout.write(
            `removed desk user ${name} and ended their sessions${left === 0 ? '; no desk users are left, so /desk answers 404' : ''}\n`,
          );
        },
        { write: true },
      );
    });

  users
    .command('passwd')
    .description("set a desk user's password and end their sessions; asks twice (hidden) unless --password-stdin")
    .argument('<name>', 'the user name')
    .option('--password-stdin', 'read the password from standard input (first line), for scripts')
    .action(async (name: string, options: { passwordStdin?: boolean }) => {
      await withExistingStore(
        loadConfig(env),
        async (store) => {
          if (!(await findDeskUser(store.db, name))) throw new UsageError(`no desk user "${name}"`);
          const password = await newPassword(name, options.passwordStdin === true, io);
          const hash = await hashPassword(password);
          await setDeskPassword(store.db, name, hash, isoTimestamp(systemClock.now()));
          io.stdout.write(`password of ${name} changed; their sessions have ended\n`);
        },
        { write: true },
      );
    });
}

function checkName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new UsageError(
      `user name "${name}" must be 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit`,
    );
  }
}

async function newPassword(name: string, fromStdin: boolean, io: CliIo): Promise<string> {
  if (fromStdin) {
    const password = firstLine(await readStdin(io));
    const problem = passwordProblem(password);
    if (problem) throw new UsageError(`--password-stdin: ${problem}`);
    return password;
  }
  if (!io.stdin.isTTY) {
    throw new UsageError('no terminal to ask for the password: pipe it in with --password-stdin');
  }
  // Loaded only when a person is asked: the prompt library is not needed by scripts.
  const { password: ask, isCancel } = await import('@clack/prompts');
  const first = await ask({ message: `Password for ${name}`, validate: (v) => passwordProblem(v ?? '') });
  if (isCancel(first)) throw new UsageError('cancelled: no user was changed');
  const again = await ask({ message: 'The same password again' });
  if (isCancel(again)) throw new UsageError('cancelled: no user was changed');
  if (again !== first) throw new UsageError('the two passwords differ: no user was changed');
  return first;
}

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  // A process's stdin gives Buffers, an in-memory stream may give strings.
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer | string));
  return Buffer.concat(chunks).toString('utf8');
}

/** What `echo secret | …` sends: the text up to the first line break. */
function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}
