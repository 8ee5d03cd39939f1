import { parseArgs } from 'node:util';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DomainError, PersonCreateInput } from '../src/domain/index.js';

/**
 * `npm run admin -- create-user --name "Ana Reporter" --email ana@newsroom.example [--admin]`
 * Creates a person on the configured store (DATA_DIR or DATABASE_URL, as the server would)
 * and prints a single-use invitation link (7 days) to set their password. With `--password`
 * read from the LIVEBLOG_PASSWORD environment variable instead (never from the command line,
 * which other users of the machine can read).
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, email: { type: 'string' }, admin: { type: 'boolean', default: false } },
});
if (positionals[0] !== 'create-user') {
  process.stderr.write('usage: npm run admin -- create-user --name NAME --email EMAIL [--admin]\n');
  process.exit(2);
}
const input = PersonCreateInput.safeParse({
  name: values.name,
  email: values.email,
  admin: values.admin,
  ...(process.env.LIVEBLOG_PASSWORD ? { password: process.env.LIVEBLOG_PASSWORD } : {}),
});
if (!input.success) {
  process.stderr.write(`${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n`);
  process.exit(2);
}
const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const app = await createApp(config);
try {
  const actor = {
    actorId: null,
    actorName: 'npm run admin',
    actorAdmin: true,
    credential: 'admin_token' as const,
    address: null,
  };
  const { account, invitation } = await app.deps.auth.accounts.createPerson(input.data, actor);
  process.stdout.write(
    `created ${account.admin ? 'admin' : 'user'} ${account.name} <${account.email}> (${account.id})\n`,
  );
  if (invitation) {
    process.stdout.write(
      `invitation (shown once, valid until ${invitation.expiresAt}):\n  ${config.publicUrl}/editor#invite=${invitation.token}\n`,
    );
  }
} catch (err) {
  process.stderr.write(`${err instanceof DomainError ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await app.shutdown();
}
