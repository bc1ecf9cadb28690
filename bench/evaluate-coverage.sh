#!/usr/bin/env bash
# Coverage of the evaluation's 95% intervals against a known truth: DATASETS simulated datasets (default 1,000) at
# each of SIZES rows (default 400 and 4,000), each evaluated with ITERATIONS paired-bootstrap resamples (default
# 1,000), for the interval methods auto (the default), bca and percentile. Prints, per method and size, how often
# the interval held the true flip rate, accuracy delta, demographic-parity delta and equalized-odds delta (and the
# source's own demographic-parity and equalized-odds differences), with the mean interval width.
# Needs `mvn -B test-compile` (or package) first. Prints `uptime` so the machine's load is on record.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
if [ ! -s "$OUT/classpath.txt" ] || ! grep -q commons-statistics "$OUT/classpath.txt"; then
  mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/full-classpath.txt" >/dev/null
  tr ':' '\n' < "$OUT/full-classpath.txt" \
    | grep -E '/(onnxruntime|jackson-(core|databind|annotations)|tribuo-util-onnx|protobuf-java|commons-statistics-distribution|commons-numbers-[a-z]+|commons-rng-[a-z-]+)-[0-9]' \
    | paste -sd: > "$OUT/classpath.txt"
fi
CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
echo "== load: $(uptime)"
java -cp "$CP" dev.quantgate.evaluation.coverage.CoverageSimulation "${DATASETS:-1000}" "${ITERATIONS:-1000}" \
  "${SIZES:-400,4000}" "${THREADS:-$(nproc)}"
echo "== load: $(uptime)"
