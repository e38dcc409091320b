import { runAction } from '../../shared/runtime/runner.js';
import { action } from './evaluate-gate.js';

await runAction(action);
