import { describe, expect, it } from 'vitest';
import { cli } from './cli-process.js';

describe('chrysopedia usage errors', () => {
  it.each([
    [['chat', '--bogus'], "error: unknown option '--bogus'", 'chrysopedia chat'],
    [['users', 'token'], "error: missing required argument 'user-id'", 'chrysopedia users token'],
    [['users', 'create'], "error: required option '--name <name>' not specified", 'chrysopedia users create'],
    [['chat', 'kick', '--weight', '2'], "error: option '-w, --weight <x>' argument '2' is invalid. must be a number from 0 to 1", 'chrysopedia chat'],
    [['bogus'], "error: unknown command 'bogus'", 'chrysopedia'],
  ])('%j says what is wrong in one line and where to read more, not the whole help, with exit 1', async (args, error, command) => {
    const run = cli(args);
    expect(await run.exit).toBe(1);
    expect(run.err()).toBe(`${error}\n(see ${command} --help)\n`);
    expect(run.out()).toBe('');
  });

  it('refuses a --server that is not an http(s) URL before asking', async () => {
    const run = cli(['chat', 'kick', '--server', 'localhost:3000']);
    expect(await run.exit).toBe(1);
    expect(run.err()).toMatch(/^error: option '-s, --server <url>' argument 'localhost:3000' is invalid\. must be an http\(s\) URL/);
  });

  it('--help still prints the whole help, on stdout, with exit 0', async () => {
    const run = cli(['chat', '--help']);
    expect(await run.exit).toBe(0);
    expect(run.out()).toMatch(/^Usage: chrysopedia chat \[options\] \[question\.\.\.\]/);
    expect(run.out()).toContain('--server <url>');
  });

  it('runs when dist/cli/main.js is started directly, not only through bin/chrysopedia.js', async () => {
    const run = cli(['--help'], { entry: 'dist/cli/main.js' });
    expect(await run.exit).toBe(0);
    expect(run.out()).toMatch(/^Usage: chrysopedia /);
  });
});
