/**
 * What a command does when its output goes away: the reader of a pipe exits early
 * (`chrysopedia chat | head -3`), or the output cannot be written at all.
 */

/** A reader that leaves ends the output quietly: later writes are dropped and the exit code stays the command's own. */
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') return;
  process.stderr.write(`chrysopedia: cannot write the output (${err.code ?? err.message})\n`);
  process.exitCode = 1;
}

/** Installs the handler once per process (main() may run more than once in a test). */
export function tolerateClosedStdout(): void {
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
}

/** Aborts when stdout can no longer be written, for a command that should stop its work then; release it when done. */
export function stdoutGone(): { signal: AbortSignal; release: () => void } {
  const gone = new AbortController();
  if (process.stdout.destroyed) gone.abort();
  const onError = () => gone.abort();
  process.stdout.once('error', onError);
  return { signal: gone.signal, release: () => process.stdout.off('error', onError) };
}
