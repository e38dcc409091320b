"""The Python floor of the serving benchmark: onnxruntime's session.run on the batch-1 row of BODY
(an OIP request), with the FastAPI server's session options and fetches, called one after another
for SECONDS after 2000 unmeasured calls. Prints one JSON line like serving-floor.mjs floor.

usage: py_floor.py MODEL_DIR BODY SECONDS   (MODEL_DIR as fastapi_server.py's: model.onnx, outputs.json)
"""
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

model_dir, body, seconds = Path(sys.argv[1]), json.load(open(sys.argv[2])), float(sys.argv[3])
opts = ort.SessionOptions()
opts.intra_op_num_threads = 1
opts.inter_op_num_threads = 1
opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(str(model_dir / "model.onnx"), opts, providers=["CPUExecutionProvider"])
fetches = [e["fetch"] for e in json.loads((model_dir / "outputs.json").read_text())["exposed"]]
feeds = {i["name"]: np.asarray(i["data"], dtype=np.float32).reshape(i["shape"]) for i in body["inputs"]}
for _ in range(2000):
    session.run(fetches, feeds)
micros = []
clock = time.perf_counter
start = clock()
end = start + seconds
while True:
    t0 = clock()
    session.run(fetches, feeds)
    t1 = clock()
    micros.append((t1 - t0) * 1e6)
    if t1 >= end:
        break
micros.sort()
q = lambda p: micros[min(len(micros) - 1, int(p * len(micros)))]  # noqa: E731
print(json.dumps({"layer": "python session.run", "calls": len(micros), "calls_per_s": len(micros) / (t1 - start),
                  "p50_us": q(0.5), "p99_us": q(0.99), "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
