import { defineConfig } from 'vitest/config';
import { ymlModule } from './scripts/yml-module.mjs';

export default defineConfig({
  // @actions/workflow-parser ships source maps pointing at files it does not publish; Vite warns
  // about each. Errors still print.
  logLevel: 'error',
  plugins: [
    {
      // action.yml is embedded parsed, as scripts/build.mjs embeds it in the bundles.
      name: 'yml-parsed',
      transform(code, id) {
        if (id.endsWith('.yml')) return { code: ymlModule(code), map: null };
        return undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // Temp files: one root per run, removed at the end; each file's scratch dirs at its end.
    globalSetup: ['test/harness/global-temp.ts'],
    setupFiles: ['test/harness/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
