import { runAction } from '../../shared/runtime/runner.js';
import { action } from './deploy-k8s.js';

await runAction(action);
