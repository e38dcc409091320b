/**
 * What `mlops <action> --help` shows under "examples": the loop on examples/weather, run from
 * the repository's root, in this order (each step reads what the previous one wrote).
 * test/e2e/cli-examples.test.ts runs every one of them.
 */
export const examples: Record<string, string[][]> = {
  'validate-data': [
    ['validate-data', '--data', 'examples/weather/data/seattle-weather.csv', '--schema', 'examples/weather/schema.yml'],
    ['validate-data', '--data', 'examples/weather/data/seattle-weather.csv', '--infer-schema', 'schema.yml', '--summary-md', 'summary.md'],
  ],
  train: [['train', '--working-directory', 'examples/weather', '--command', 'node train.mjs', '--params', 'params.json', '--data', 'data/seattle-weather.csv', '--publish', 'local:weather']],
  'evaluate-gate': [
    ['evaluate-gate', '--model', 'local:weather@latest', '--data', 'examples/weather/data/eval-2015.csv', '--label', 'weather', '--gates', 'accuracy >= 0.7', '--promote', 'true'],
  ],
  predict: [['predict', '--model', 'local:weather@champion', '--data', 'examples/weather/data/eval-2015.csv', '--output', '.mlops/predictions.parquet', '--key-columns', 'date', '--probabilities', 'true']],
  'drift-check': [
    ['drift-check', '--reference', '.mlops/profile.json', '--current', 'examples/weather/data/eval-2015.csv', '--time-column', 'date', '--fail-on', 'never'],
    ['drift-check', '--reference', '.mlops/profile.json', '--current', 'examples/weather/data/eval-2015.csv', '--time-column', 'date', '--reference-data', 'examples/weather/data/seattle-weather.csv', '--stattest', 'weather: chisquare', '--fail-on', 'never'],
  ],
  'build-image': [['build-image', '--model', 'local:weather@champion', '--image', 'localhost/weather-server', '--base-image', 'scratch', '--push', 'false', '--output', '.mlops/image']],
};
