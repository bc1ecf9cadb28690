#!/usr/bin/env bash
# Benchmark: COUNT (default 200) model-version registrations arrive as signed model_version.created webhooks in one
# burst at the packaged server (role server, embedded PostgreSQL) with two worker processes (role worker, REST only)
# and the tests' fake MLflow (recorded REST shapes, artifacts, runs, versions). Each version is the Adult MLP as
# MLflow 3 logs it, with ROWS (default 300) evaluation rows, under a policy with VARIANTS (1 or 2, default 2)
# variants. Checks every job succeeded exactly once (jobs API paged through, evidence, MLflow runs and versions, the
# workers' job-timings lines) and prints each worker's utilisation, idle gaps and queue-call overhead.
# Prints `uptime` so the machine's load is on record. SKIP_BUILD=1 reuses the last package.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/queue-burst
rm -rf "$OUT/run"
mkdir -p "$OUT"
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -DskipTests package
fi
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
echo "== load: $(uptime)"
rc=0
java -cp "target/classes:target/test-classes:$(cat "$OUT/classpath.txt")" dev.quantgate.worker.QueueBurstBench \
  "$OUT/run" "${COUNT:-200}" "${VARIANTS:-2}" "${ROWS:-300}" || rc=$?
echo "== load: $(uptime)"
exit $rc
