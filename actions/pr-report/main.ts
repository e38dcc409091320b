import { runAction } from '../../shared/runtime/runner.js';
import { action } from './pr-report.js';

await runAction(action);
