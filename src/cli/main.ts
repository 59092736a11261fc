import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { registerChat } from './chat.js';
import { registerEval } from './eval.js';
import { registerImport } from './import.js';
import { registerMigrate } from './migrate.js';
import { registerServe } from './serve.js';
import { registerUsers } from './users.js';
import { tolerateClosedStdout } from './stdout.js';

/** A usage error is its one line and where to read more, not the whole help text. */
function hintAfterErrors(command: Command, parents: string[] = []): void {
  const name = [...parents, command.name()];
  command.showHelpAfterError(`(see ${name.join(' ')} --help)`);
  for (const sub of command.commands) hintAfterErrors(sub, name);
}

export function buildProgram(): Command {
  const program = new Command('chrysopedia')
    .description('Chrysopedia Chat: cited answers from creators\' music-production teaching')
    // Errors come back to main() (and its exit code) instead of exiting from inside commander.
    .exitOverride();
  registerChat(program);
  registerImport(program);
  registerServe(program);
  registerMigrate(program);
  registerUsers(program);
  registerEval(program);
  hintAfterErrors(program);
  return program;
}

/** Entry point of bin/chrysopedia.js: one line on error, never a stack. */
export async function main(argv: string[]): Promise<void> {
  tolerateClosedStdout();
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`chrysopedia: ${message}\n`);
    process.exitCode = 1;
  }
}

// `node dist/cli/main.js …` runs the CLI too (bin/chrysopedia.js imports this module and calls main()).
const entry = process.argv[1];
if (entry && existsSync(entry) && import.meta.url === pathToFileURL(realpathSync(entry)).href) await main(process.argv);
