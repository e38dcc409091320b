"""The comparison server of the serving benchmark: FastAPI + uvicorn + onnxruntime serving the same
model with an Open Inference Protocol v2-like endpoint, written as one would for production:

  POST /v2/models/{name}/infer   typed tensors in, typed tensors out (as our shared/serving)
  GET  /v2/health/ready

It checks what ours checks (protocol.ts decodeInputs): every model input given once, by name, with
the model's datatype, the same rank, the model's size in every fixed dimension, nested data
following the shape, the element count, numbers (null as NaN) for floats; unknown requested outputs
are a 400. Like ours, the label output is replaced by the argmax of the probabilities.

MODEL_DIR holds model.onnx (ZipMap already unwrapped, as our server does it in memory) and
outputs.json ({exposed: [{name, fetch}], label, proba, classes}), both written by
`serving-floor.mjs unwrap`. MODEL_NAME names the model in URLs (default weather).

Run: uvicorn fastapi_server:app --workers 1 --no-access-log (one process, one event loop).
"""
import json
import math
import os
import uuid
from pathlib import Path
from typing import Any, Optional

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

MODEL_DIR = Path(os.environ["MODEL_DIR"])
MODEL_NAME = os.environ.get("MODEL_NAME", "weather")
MODEL_VERSION = os.environ.get("MODEL_VERSION", "1")

# The session options of our server (shared/serving/model.ts, INTRA_OP_THREADS default 1).
_opts = ort.SessionOptions()
_opts.intra_op_num_threads = 1
_opts.inter_op_num_threads = 1
_opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(str(MODEL_DIR / "model.onnx"), _opts, providers=["CPUExecutionProvider"])
_outputs = json.loads((MODEL_DIR / "outputs.json").read_text())
EXPOSED: list[dict] = _outputs["exposed"]
FETCHES = [e["fetch"] for e in EXPOSED]
LABEL, PROBA, CLASSES = _outputs["label"], _outputs["proba"], _outputs["classes"]

ORT_TO_OIP = {
    "tensor(float)": "FP32", "tensor(double)": "FP64", "tensor(float16)": "FP16", "tensor(int64)": "INT64",
    "tensor(int32)": "INT32", "tensor(int16)": "INT16", "tensor(int8)": "INT8", "tensor(uint8)": "UINT8",
    "tensor(bool)": "BOOL", "tensor(string)": "BYTES",
}
OIP_TO_NP = {"FP32": np.float32, "FP64": np.float64, "FP16": np.float16, "INT64": np.int64, "INT32": np.int32,
             "INT16": np.int16, "INT8": np.int8, "UINT8": np.uint8, "BOOL": np.bool_, "BYTES": np.object_}
NP_TO_OIP = {np.dtype(v).kind + str(np.dtype(v).itemsize): k for k, v in OIP_TO_NP.items() if k != "BYTES"}
INPUTS = {i.name: (ORT_TO_OIP[i.type], [d if isinstance(d, int) else -1 for d in i.shape]) for i in session.get_inputs()}


class InferInput(BaseModel):
    name: str = Field(min_length=1)
    shape: list[int]
    datatype: str
    parameters: Optional[dict[str, Any]] = None
    data: list[Any]


class RequestedOutput(BaseModel):
    name: str = Field(min_length=1)
    parameters: Optional[dict[str, Any]] = None


class InferRequest(BaseModel):
    id: Optional[str] = None
    parameters: Optional[dict[str, Any]] = None
    inputs: list[InferInput] = Field(min_length=1)
    outputs: Optional[list[RequestedOutput]] = None


app = FastAPI()


@app.exception_handler(HTTPException)
async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


@app.exception_handler(RequestValidationError)
async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    e = exc.errors()[0]
    return JSONResponse({"error": f"invalid inference request: {'.'.join(map(str, e['loc'][1:]))}: {e['msg']}"}, status_code=400)


@app.get("/v2/health/ready")
async def ready() -> dict:
    return {"ready": True}


def flatten(data: list, shape: list[int], name: str) -> list:
    if not any(isinstance(x, list) for x in data):
        return data
    out: list = []

    def walk(level: list, depth: int) -> None:
        if depth >= len(shape) or len(level) != shape[depth]:
            raise HTTPException(400, f'input "{name}": nested data does not follow shape {shape}')
        innermost = depth == len(shape) - 1
        for item in level:
            if isinstance(item, list) == innermost:
                raise HTTPException(400, f'input "{name}": nested data does not follow shape {shape}')
            if innermost:
                out.append(item)
            else:
                walk(item, depth + 1)

    walk(data, 0)
    return out


def decode(inp: InferInput) -> np.ndarray:
    spec = INPUTS.get(inp.name)
    if spec is None:
        raise HTTPException(400, f'unknown input "{inp.name}"; the model\'s inputs are {", ".join(INPUTS)}')
    datatype, shape = spec
    if inp.datatype != datatype:
        raise HTTPException(400, f'input "{inp.name}": expected datatype {datatype}, got {inp.datatype}')
    if any(d < 0 for d in inp.shape) or len(inp.shape) != len(shape) or any(d >= 0 and d != g for d, g in zip(shape, inp.shape)):
        raise HTTPException(400, f'input "{inp.name}": expected shape {shape} (-1: any size), got {inp.shape}')
    flat = flatten(inp.data, inp.shape, inp.name)
    if len(flat) != math.prod(inp.shape):
        raise HTTPException(400, f'input "{inp.name}": shape {inp.shape} holds {math.prod(inp.shape)} elements, data has {len(flat)}')
    if datatype in ("FP32", "FP64", "FP16"):
        for i, v in enumerate(flat):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise HTTPException(400, f'input "{inp.name}": element {i} is {json.dumps(v)}, expected a number for datatype {datatype}')
        flat = [math.nan if v is None else v for v in flat]
    try:
        return np.asarray(flat, dtype=OIP_TO_NP[datatype]).reshape(inp.shape)
    except (ValueError, TypeError, OverflowError) as e:
        raise HTTPException(400, f'input "{inp.name}": {e}') from None


def encode(name: str, value: Any) -> dict:
    a = np.asarray(value)
    datatype = "BYTES" if a.dtype.kind in ("O", "U", "S") else NP_TO_OIP.get(a.dtype.kind + str(a.dtype.itemsize), "FP32")
    data = [str(x) for x in a.ravel()] if datatype == "BYTES" else a.ravel().tolist()
    return {"name": name, "datatype": datatype, "shape": list(a.shape), "data": data}


@app.post(f"/v2/models/{MODEL_NAME}/infer")
async def infer(body: InferRequest, request: Request) -> JSONResponse:
    wanted = [o.name for o in body.outputs] if body.outputs else [e["name"] for e in EXPOSED]
    for w in wanted:
        if not any(e["name"] == w for e in EXPOSED):
            raise HTTPException(400, f'unknown output "{w}"')
    feeds: dict[str, np.ndarray] = {}
    for inp in body.inputs:
        if inp.name in feeds:
            raise HTTPException(400, f'input "{inp.name}" is given twice')
        feeds[inp.name] = decode(inp)
    missing = [n for n in INPUTS if n not in feeds]
    if missing:
        raise HTTPException(400, f"missing inputs {', '.join(missing)}")
    try:
        result = session.run(FETCHES, feeds)
    except Exception as e:  # noqa: BLE001 - the model's complaint, as ours answers it
        raise HTTPException(400, f"inference failed: {str(e).splitlines()[0]}") from None
    out = {e["name"]: r for e, r in zip(EXPOSED, result)}
    if LABEL and PROBA and CLASSES:
        labels = np.asarray(CLASSES, dtype=object)[np.argmax(out[PROBA], axis=1)]
        out[LABEL] = labels if np.asarray(out[LABEL]).dtype.kind in ("O", "U", "S") else out[LABEL]
    rid = body.id or request.headers.get("x-request-id") or str(uuid.uuid4())
    return JSONResponse({"model_name": MODEL_NAME, "model_version": MODEL_VERSION, "id": rid, "outputs": [encode(w, out[w]) for w in wanted]})
