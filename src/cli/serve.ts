import type { Command } from 'commander';
import { main as serve } from '../server.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (configured by environment variables, see README)')
    .action(async () => serve());
}
