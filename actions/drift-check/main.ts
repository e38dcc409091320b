import { runAction } from '../../shared/runtime/runner.js';
import { action } from './drift-check.js';

await runAction(action);
