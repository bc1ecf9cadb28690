#!/usr/bin/env bash
# Benchmark: one Adult model (the MLP trained in Java on the shared dataset) through the worker's four variants,
# int8-dynamic, int8-static, fp16 and int4-weight-only, exactly as the in-process worker runs a job: download,
# quantize, benchmark (source and variant alternating), evaluate on all 48,842 rows with 1,000 bootstrap iterations
# over sex, race and their intersection, upload. Each stage is timed from the worker's own progress events.
# Needs `mvn -B -DskipTests package` (or verify) first. Prints `uptime` so the machine's load is on record.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/pipeline
REPS=${REPS:-2}
mkdir -p "$OUT"
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
echo "== load: $(uptime)"
java -cp "target/classes:target/test-classes:$(cat "$OUT/classpath.txt")" dev.quantgate.worker.PipelineBench "$OUT" "$REPS"
echo "== load: $(uptime)"
