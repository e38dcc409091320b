import { runAction } from '../../shared/runtime/runner.js';
import { action } from './train.js';

await runAction(action);
