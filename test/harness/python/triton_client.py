"""Triton's own HTTP client (tritonclient.http) against the model server, predictions compared
bit for bit with Python onnxruntime on the original model (ZipMap included), one thread on both
sides. For test/integration/serving-tritonclient.test.ts and test/e2e/serving-image.test.ts.

usage: triton_client.py URL MODEL_NAME MODEL_ONNX DATA_CSV
Prints one JSON line: {"extensions": [...], "runs": [{mode, compression, rows, outputs}, ...]};
exits 1 naming the first difference."""
import csv
import json
import sys

import numpy as np
import onnxruntime as ort
import tritonclient.http as httpclient

url, model_name, model_path, data_csv = sys.argv[1:5]
client = httpclient.InferenceServerClient(url.removeprefix("http://"))
assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(model_name), "server not live/ready"
server = client.get_server_metadata()
meta = client.get_model_metadata(model_name)

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
reference = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])

with open(data_csv, newline="") as f:
    rows = list(csv.DictReader(f))
features = {i["name"]: np.array([[float(r[i["name"]])] for r in rows], dtype=np.float32) for i in meta["inputs"]}
assert all(i["datatype"] == "FP32" and i["shape"] == [-1, 1] for i in meta["inputs"]), meta["inputs"]


def expected(feeds):
    """onnxruntime's outputs by name; a ZipMap (list of {class: p}) as its float32 [N, classes] tensor."""
    names = [o.name for o in reference.get_outputs()]
    out = {}
    for name, value in zip(names, reference.run(None, feeds)):
        if isinstance(value, list) and value and isinstance(value[0], dict):
            classes = list(value[0].keys())
            value = np.array([[row[c] for c in classes] for row in value], dtype=np.float32)
        out[name] = np.asarray(value)
    return out


def same(served, ref):
    if ref.dtype.kind in "OUS":
        ref = np.array([x if isinstance(x, str) else str(x) for x in ref.reshape(-1)], dtype=object)
        served = np.array([x.decode() if isinstance(x, bytes) else str(x) for x in served.reshape(-1)], dtype=object)
        return served.shape == ref.shape and bool((served == ref).all())
    served = np.ascontiguousarray(served, dtype=ref.dtype)
    return served.shape == ref.shape and served.tobytes() == ref.tobytes()


runs = []
for binary in (True, False):
    for compression in (None, "gzip", "deflate"):
        for start, count in ((0, 1), (1, 7), (8, 256), (0, len(rows))):
            feeds = {name: arr[start : start + count] for name, arr in features.items()}
            inputs = []
            for name, arr in feeds.items():
                i = httpclient.InferInput(name, list(arr.shape), "FP32")
                i.set_data_from_numpy(arr, binary_data=binary)
                inputs.append(i)
            # Binary: the client's default (no outputs named: binary_data_output for all).
            outputs = None if binary else [httpclient.InferRequestedOutput(o["name"], binary_data=False) for o in meta["outputs"]]
            result = client.infer(model_name, inputs, outputs=outputs, request_compression_algorithm=compression, response_compression_algorithm=compression)
            want = expected(feeds)
            for o in meta["outputs"]:
                served = result.as_numpy(o["name"])
                ref = want[o["name"]]
                if not same(served, ref):
                    print(f"{o['name']} differs (binary={binary}, compression={compression}, rows {start}..{start + count}):\nserved {served[:5]}\nonnxruntime {ref[:5]}", file=sys.stderr)
                    sys.exit(1)
            runs.append({"mode": "binary" if binary else "json", "compression": compression, "rows": count, "outputs": sorted(want)})

print(json.dumps({"extensions": server["extensions"], "onnxruntime": ort.__version__, "runs": runs}))
