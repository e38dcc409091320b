// Stand-in for onnxruntime-node's `require('../bin/napi-v6/<platform>/<arch>/onnxruntime_binding.node')`
// inside bundles: loads the binding ensureOnnxRuntimeBinding() fetched (shared/native/loader.ts).
const file = globalThis.__mlopsNativePaths && globalThis.__mlopsNativePaths.onnxruntime;
if (!file) throw new Error('ONNX Runtime binding not prepared: call ensureOnnxRuntimeBinding() before importing onnxruntime-node');
module.exports = require(file);
