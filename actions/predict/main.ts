import { runAction } from '../../shared/runtime/runner.js';
import { action } from './predict.js';

await runAction(action);
