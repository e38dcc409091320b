import { actionNamed } from '../registry.js';
import { runAction } from '../../shared/runtime/runner.js';

await runAction(actionNamed('predict'));
