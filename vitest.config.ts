import { createLogger } from 'vite';
import { defineConfig } from 'vitest/config';

// @actions/workflow-parser ships source maps pointing at files it does not publish: drop that noise.
const logger = createLogger();
const warnOnce = logger.warnOnce.bind(logger);
logger.warnOnce = (msg, options) => (msg.includes('points to missing source files') ? undefined : warnOnce(msg, options));

export default defineConfig({
  // @actions/workflow-parser ships source maps pointing at files it does not publish; Vite warns
  // about each. Errors still print.
  logLevel: 'error',
  customLogger: logger,
  plugins: [
    {
      // action.yml is embedded as text, as esbuild's "text" loader does for the bundles.
      name: 'yml-as-text',
      transform(code, id) {
        if (id.endsWith('.yml')) return { code: `export default ${JSON.stringify(code)};`, map: null };
        return undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
