// The model server's entry point in a container: `node server.js` (this file, bundled).
// Configuration comes from the environment (docs/serving.md); SIGTERM / SIGINT drain and exit 0.
import { type ServerConfig, configFromEnv, stderrLogger } from './config.js';
import { type ModelServer, startModelServer } from './server.js';

/** Past the server's own deadline, something is stuck: leave anyway. */
const EXIT_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const log = stderrLogger();
  let config: ServerConfig;
  try {
    config = configFromEnv(process.env, log);
  } catch (e) {
    log.warn((e as Error).message);
    process.exit(2);
  }
  let server: ModelServer;
  try {
    server = await startModelServer(config);
  } catch (e) {
    log.warn(`cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
  const running = server;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received: shutting down`);
    setTimeout(() => {
      log.warn('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownDelayMs + config.shutdownTimeoutMs + EXIT_GRACE_MS).unref();
    running.shutdown().then(
      ({ forced }) => process.exit(forced ? 1 : 0),
      (e: unknown) => {
        log.warn(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

process.on('unhandledRejection', (e) => {
  process.stderr.write(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});

void main();
