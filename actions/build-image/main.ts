import { runAction } from '../../shared/runtime/runner.js';
import { action } from './build-image.js';

await runAction(action);
