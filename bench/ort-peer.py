#!/usr/bin/env python3
"""The peer for bench/quantize-minilm.sh: ONNX Runtime's own Python quantizer on MiniLM.

Usage: ort-peer.py FP32.onnx WORK_DIR
Writes, under WORK_DIR:
  peer-ort-dynamic.onnx         quantize_dynamic(per_channel=True) of the FP32 model
  mlflow-fp32/model.onnx + UUID the FP32 model saved as mlflow.onnx.save_model saves it
                                (onnx.save_model(save_as_external_data=True): tensors >= 1 KiB in a UUID-named file)
  mlflow-peer/model.onnx + data quantize_dynamic(per_channel=True) of that copy, with external data
and prints one PEER line per quantization with its wall time.
"""
import os
import sys
import time
import uuid

import onnx
import onnxruntime
from onnxruntime.quantization import quantize_dynamic

src, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)

def peer(model_in, model_out, external):
    t0 = time.perf_counter()
    quantize_dynamic(model_in, model_out, per_channel=True, use_external_data_format=external)
    secs = time.perf_counter() - t0
    d = os.path.dirname(model_out)
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)) if external else os.path.getsize(model_out)
    print(f"PEER model={model_out} seconds={secs:.2f} bytes={size} onnxruntime={onnxruntime.__version__}", flush=True)

peer(src, os.path.join(work, "peer-ort-dynamic.onnx"), False)

mlflow_dir = os.path.join(work, "mlflow-fp32")
os.makedirs(mlflow_dir, exist_ok=True)
for f in os.listdir(mlflow_dir):
    os.remove(os.path.join(mlflow_dir, f))
model = onnx.load(src)
# what mlflow.onnx.save_model does with its defaults (save_as_external_data=True)
onnx.save_model(model, os.path.join(mlflow_dir, "model.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location=str(uuid.uuid4()), size_threshold=1024)
print(f"MLFLOW_COPY dir={mlflow_dir} files={sorted(os.listdir(mlflow_dir))}", flush=True)

peer_dir = os.path.join(work, "mlflow-peer")
os.makedirs(peer_dir, exist_ok=True)
for f in os.listdir(peer_dir):
    os.remove(os.path.join(peer_dir, f))
peer(os.path.join(mlflow_dir, "model.onnx"), os.path.join(peer_dir, "model.onnx"), True)
