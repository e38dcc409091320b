import { runAction } from '../../shared/runtime/runner.js';
import { action } from './merge-profiles.js';

await runAction(action);
