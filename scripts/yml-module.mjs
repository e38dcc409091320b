// An action.yml as a JavaScript module exporting its parsed document: how scripts/build.mjs
// embeds it in the bundles and vitest.config.ts in the tests (yml.d.ts types the import).
import YAML from 'yaml';

export function ymlModule(text) {
  return `export default ${JSON.stringify(YAML.parse(text))};`;
}
