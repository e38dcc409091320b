import type { AnyAction } from '../shared/runtime/action.js';
import { action as buildImage } from '../actions/build-image/build-image.js';
import { action as deployK8s } from '../actions/deploy-k8s/deploy-k8s.js';
import { action as driftCheck } from '../actions/drift-check/drift-check.js';
import { action as evaluateGate } from '../actions/evaluate-gate/evaluate-gate.js';
import { action as predict } from '../actions/predict/predict.js';
import { action as prReport } from '../actions/pr-report/pr-report.js';
import { action as train } from '../actions/train/train.js';
import { action as validateData } from '../actions/validate-data/validate-data.js';

/** Every action of the suite, runnable as `mlops <id> --<input> <value>`. */
export const actions: AnyAction[] = [validateData, train, evaluateGate, prReport, buildImage, deployK8s, driftCheck, predict];
