import type { Command } from 'commander';
import { openCliDb } from './context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const { db } = await openCliDb();
      await db.close();
      process.stdout.write('database is up to date\n');
    });
}
