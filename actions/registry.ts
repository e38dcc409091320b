/**
 * Every action of the suite, each with its inputs and action.yml at hand and its code loaded on
 * its first run (lazyAction): what each `actions/<name>/main.ts` runs and what the CLI offers as
 * `mlops <name>`. test/unit/action-inputs.test.ts checks every folder under actions/ is here.
 */
import { type AnyAction, lazyAction } from '../shared/runtime/action.js';
import buildImageYml from './build-image/action.yml';
import { inputs as buildImageInputs } from './build-image/inputs.js';
import deployK8sYml from './deploy-k8s/action.yml';
import { inputs as deployK8sInputs } from './deploy-k8s/inputs.js';
import driftCheckYml from './drift-check/action.yml';
import { inputs as driftCheckInputs } from './drift-check/inputs.js';
import evaluateGateYml from './evaluate-gate/action.yml';
import { inputs as evaluateGateInputs } from './evaluate-gate/inputs.js';
import mergeProfilesYml from './merge-profiles/action.yml';
import { inputs as mergeProfilesInputs } from './merge-profiles/inputs.js';
import predictYml from './predict/action.yml';
import { inputs as predictInputs } from './predict/inputs.js';
import prReportYml from './pr-report/action.yml';
import { inputs as prReportInputs } from './pr-report/inputs.js';
import trainYml from './train/action.yml';
import { inputs as trainInputs } from './train/inputs.js';
import validateDataYml from './validate-data/action.yml';
import { inputs as validateDataInputs } from './validate-data/inputs.js';

export const actions: AnyAction[] = [
  lazyAction({ id: 'validate-data', actionYml: validateDataYml, inputs: validateDataInputs }, () => import('./validate-data/validate-data.js')),
  lazyAction({ id: 'merge-profiles', actionYml: mergeProfilesYml, inputs: mergeProfilesInputs }, () => import('./merge-profiles/merge-profiles.js')),
  lazyAction({ id: 'train', actionYml: trainYml, inputs: trainInputs }, () => import('./train/train.js')),
  lazyAction({ id: 'evaluate-gate', actionYml: evaluateGateYml, inputs: evaluateGateInputs }, () => import('./evaluate-gate/evaluate-gate.js')),
  lazyAction({ id: 'predict', actionYml: predictYml, inputs: predictInputs }, () => import('./predict/predict.js')),
  lazyAction({ id: 'pr-report', actionYml: prReportYml, inputs: prReportInputs }, () => import('./pr-report/pr-report.js')),
  lazyAction({ id: 'build-image', actionYml: buildImageYml, inputs: buildImageInputs }, () => import('./build-image/build-image.js')),
  lazyAction({ id: 'deploy-k8s', actionYml: deployK8sYml, inputs: deployK8sInputs }, () => import('./deploy-k8s/deploy-k8s.js')),
  lazyAction({ id: 'drift-check', actionYml: driftCheckYml, inputs: driftCheckInputs }, () => import('./drift-check/drift-check.js')),
];

/** The action `id` (an actions/ folder name). */
export function actionNamed(id: string): AnyAction {
  const found = actions.find((a) => a.id === id);
  if (!found) throw new Error(`no action ${id} in actions/registry.ts`);
  return found;
}
