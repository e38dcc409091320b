import { runAction } from '../../shared/runtime/runner.js';
import { action } from './validate-data.js';

await runAction(action);
