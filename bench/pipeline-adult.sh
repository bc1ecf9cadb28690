#!/usr/bin/env bash
# Benchmark: one Adult model (the MLP trained in Java on the shared dataset) through the worker's four variants,
# int8-dynamic, int8-static, fp16 and int4-weight-only: download, quantize, benchmark (source and variant
# alternating), evaluate on all 48,842 rows with 1,000 bootstrap iterations over sex, race and their intersection,
# upload. Two parts:
#  1. worker only (PipelineBench): the executor as the in-process worker runs it, artifacts on the local disk, each
#     stage timed from the worker's own progress events;
#  2. whole pipeline (PipelineServerBench): the packaged jar in role all (one in-process worker, default settings)
#     with the tests' fake MLflow; one signed model_version.created webhook; from its 202 to the last evidence
#     recorded (server clock), per stage (the worker's job-timings lines) and the pipeline overhead: everything but
#     quantize + benchmark + evaluate.
# Prints `uptime` so the machine's load is on record. SKIP_BUILD=1 reuses the last package; PART=1 or PART=2 runs one.
# COMPARE=1 runs part 2 twice, side by side: the worker's fetch-ahead off, then on (the default); FETCH_AHEAD=false
# or true runs part 2 once with it set.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/pipeline
REPS=${REPS:-2}
mkdir -p "$OUT"
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -DskipTests package
fi
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
if [ "${PART:-1}" != 2 ]; then
  echo "== part 1, worker only; load: $(uptime)"
  java -cp "$CP" dev.quantgate.worker.PipelineBench "$OUT" "$REPS"
  echo "== load: $(uptime)"
fi
if [ "${PART:-2}" != 1 ]; then
  rc=0
  if [ -n "${COMPARE:-}" ]; then modes="false true"; elif [ -n "${FETCH_AHEAD:-}" ]; then modes="$FETCH_AHEAD"; else modes="default"; fi
  for mode in $modes; do
    rm -rf "$OUT/server"
    props=""
    [ "$mode" = default ] || props="quantgate.worker.fetch-ahead=$mode"
    echo "== part 2, webhook to evidence through the packaged server (fetch-ahead: $mode); load: $(uptime)"
    java -Dbench.server.properties="$props" -cp "$CP" dev.quantgate.worker.PipelineServerBench "$OUT/server" "$REPS" || rc=$?
    echo "== load: $(uptime)"
  done
  exit $rc
fi
