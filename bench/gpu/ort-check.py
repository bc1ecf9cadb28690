#!/usr/bin/env python3
"""Device check: do QuantGate's quantized MiniLM models load and run in ONNX Runtime's Python build,
on CUDA where that build offers it? Usage: python3 bench/gpu/ort-check.py MODEL.onnx ...
Prints one line per model and execution provider; exits 1 if any model fails to load or run."""
import sys, time
import numpy as np
import onnxruntime as ort

print("onnxruntime", ort.__version__, "providers:", ort.get_available_providers())
try:
    import torch
    print("torch", torch.__version__, "cuda:", torch.cuda.is_available(),
          torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
except Exception as e:  # torch is only used to report the device
    print("torch unavailable:", e)

rng = np.random.default_rng(7)
ids = rng.integers(1000, 20000, size=(1, 48), dtype=np.int64)
ids[0, 0], ids[0, -1] = 101, 102
feeds_all = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
failed = False
for path in sys.argv[1:]:
    outputs = {}
    for ep in [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in ort.get_available_providers()]:
        try:
            so = ort.SessionOptions()
            s = ort.InferenceSession(path, so, providers=[ep])
            feeds = {i.name: feeds_all[i.name] for i in s.get_inputs()}
            out = s.run(None, feeds)[0]
            t = []
            for _ in range(20):
                t0 = time.perf_counter(); s.run(None, feeds); t.append((time.perf_counter() - t0) * 1000)
            outputs[ep] = out
            print(f"OK  {path} ep={ep} used={s.get_providers()[0]} out={out.shape} finite={np.isfinite(out).all()} "
                  f"p50_ms={np.median(t):.3f}")
            failed |= not np.isfinite(out).all()
        except Exception as e:
            failed = True
            print(f"ERR {path} ep={ep}: {type(e).__name__}: {str(e)[:400]}")
    if len(outputs) == 2:
        a, b = outputs["CUDAExecutionProvider"], outputs["CPUExecutionProvider"]
        print(f"    CUDA vs CPU max abs diff {np.abs(a - b).max():.3e}")
sys.exit(1 if failed else 0)
