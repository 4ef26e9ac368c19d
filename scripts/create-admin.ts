/**
 * Creates the first admin, or promotes an existing account, in the configured database:
 *
 *   ADMIN_PASSWORD='...' npm run create-admin -- --email editor@news.example [--name "Desk Editor"]
 *
 * The password is read from ADMIN_PASSWORD or, when that is unset, from the first line of standard
 * input (never from the command line, where other users could see it). An existing account keeps its
 * password and only gains the admin role. Uses MONGODB_URI, or the embedded database in DATA_DIR,
 * exactly like the service; stop a running embedded-database service first.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createOrPromoteAdmin } from '../src/accounts/bootstrapAdmin';
import { loadConfig } from '../src/config/config';
import { openConfiguredDatabase } from '../src/db/database';
import { createLogger } from '../src/logging/logger';

async function readFirstLine(): Promise<string> {
  if (process.stdin.isTTY) process.stdout.write('Password for a new account (input is shown; prefer ADMIN_PASSWORD): ');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } });
  const email = z.email().safeParse(values.email?.trim().toLowerCase());
  if (!email.success) {
    console.error('Usage: npm run create-admin -- --email <address> [--name <display name>]');
    process.exit(64);
  }
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', name: 'create-admin' });
  const database = await openConfiguredDatabase(config, logger);
  try {
    let outcome = await createOrPromoteAdmin({ email: email.data, displayName: values.name }).catch((err: unknown) => {
      if (err instanceof Error && /needs a password/.test(err.message)) return null;
      throw err;
    });
    if (outcome === null) {
      const password = process.env.ADMIN_PASSWORD || (await readFirstLine());
      outcome = await createOrPromoteAdmin({ email: email.data, password, displayName: values.name });
    }
    const said = { created: 'Created the admin account', promoted: 'Promoted the account to admin', 'already-admin': 'The account is already an admin' };
    console.log(`${said[outcome]}: ${email.data}`);
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`create-admin failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
