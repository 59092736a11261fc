import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildDeps } from './deps.js';
import { createLogger } from './logger.js';

/** Starts the service; resolves with a function that shuts it down gracefully. */
export async function startServer(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  const log = createLogger(config.LOG_LEVEL);
  const deps = await buildDeps(config, log);
  const app = await buildApp(deps);
  const url = await app.listen({ host: config.HOST, port: config.PORT });
  log.info({ url, database: deps.db.kind, answerer: deps.answerer.kind }, 'chrysopedia chat listening');
  let stopping: Promise<void> | null = null;
  // SIGTERM: stop listening at once, let open streams finish for up to SHUTDOWN_GRACE_MS, then cut
  // what is left (its turns are stored as client_closed) and close the stores.
  const stop = () =>
    (stopping ??= (async () => {
      log.info({ open_streams: deps.streams.size }, 'shutting down');
      const closing = app.close();
      const finished = await deps.streams.drain(config.SHUTDOWN_GRACE_MS);
      if (!finished) {
        log.warn({ open_streams: deps.streams.size }, 'grace period over, closing open streams');
        app.server.closeAllConnections();
        // Answers outlive their clients (CHAT_RESUME_GRACE_MS): stopped here, stored client_closed.
        deps.liveAnswers.stopAll();
        await deps.streams.drain(2000);
      }
      // Connections kept alive after their stream ended would hold close() open until they time out.
      app.server.closeIdleConnections();
      await closing;
      await deps.close();
    })());
  return { url, stop };
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { stop } = await startServer(config);
  // Keep the process alive until a signal: commander's action resolves once listening.
  const onSignal = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`chrysopedia: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
