#!/usr/bin/env bash
# Gate decision benchmark: the packaged app on its embedded PostgreSQL (no MLflow: quantgate.mlflow.url unset, so
# no write leaves QuantGate), one policy and one stored evidence set seeded as the gate tests do (bench/GateSeed.java),
# then an open-loop constant-rate client (bench/OpenLoop.java; latency from the planned send time) at $RATE
# requests/s for $DURATION s against
#   (a) POST /api/v1/gate/evaluate   dry run: policy in force, the version's stored evidence, judged, not stored
#   (b) POST /api/v1/promotions      a stored decision: judged, decision + promotion row + outbox write (SetAlias,
#                                    never sent: MLflow is excluded) + audit events, one transaction, answered 201
# Target (issue 11): p99 under 10 ms. Prints `uptime` before and after: other builds may share the machine.
#
# Needs: mvn -q -DskipTests package (target/quarkus-app), java 17, curl, python3
# Usage: bench/gate-decision.sh     env: RATE=200 DURATION=60 WARMUP=15 PATHS='evaluate promotions'
#        JFR=/tmp/gate.jfr records a profile of the app (settings=profile); JAVA_OPTS adds JVM options to the app
#        (e.g. JAVA_OPTS=-XX:+UseSerialGC)
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-200}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-15}
PATHS=${PATHS:-evaluate promotions}   # which of the two to measure
JAR=target/quarkus-app/quarkus-run.jar
CP='target/quarkus-app/app/*:target/quarkus-app/lib/main/*'
ADMIN=bench-admin-token-0123456789abcdef
MODEL=bench-gate

for tool in java curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -q -DskipTests package first" >&2; exit 2; }

WORK=$(mktemp -d /tmp/quantgate-gate-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
APP_PID=
cleanup() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/policies"
java -cp "$CP" bench/GateSeed.java policy "$WORK/policies" "$MODEL" pass
echo "== load before: $(uptime)"
java -Xmx1g ${JAVA_OPTS:-} ${JFR:+-XX:StartFlightRecording=filename=$JFR,settings=profile} \
  -Dquantgate.db.data-dir="$WORK/pg" -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 \
  -Dquantgate.security.admin-token="$ADMIN" -Dquantgate.policies.dir="$WORK/policies" \
  -Dquantgate.mlflow.url= -Dquarkus.log.level=WARN \
  -jar "$JAR" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; exit 1; }
  sleep 1
done
PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
PGPASS=$(sed -n 's/^superuser\.password=//p' "$WORK/pg/quantgate-credentials.properties")
java -cp "$CP" bench/GateSeed.java seed "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" "$PGPASS" "$MODEL" "$MODEL" 2>"$WORK/seed.err" || { cat "$WORK/seed.err"; exit 1; }

API="http://127.0.0.1:$PORT/api/v1"
EVAL='{"model":"'$MODEL'","version":"2","alias":"champion"}'
PROMOTE='{"model":"'$MODEL'","version":"2","alias":"champion","reason":"bench"}'
echo "== one dry run: $(curl -fs -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d "$EVAL" \
  "$API/gate/evaluate" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("outcome", d["outcome"], "policy", d.get("policyName"))')"

if [[ " $PATHS " == *" evaluate "* ]]; then
echo "== (a) POST /api/v1/gate/evaluate (dry run), $RATE/s for $DURATION s after $WARMUP s warm-up; load: $(uptime)"
java bench/OpenLoop.java "$API/gate/evaluate" "$ADMIN" "$EVAL" "$RATE" "$DURATION" 200 "$WARMUP" | tee "$WORK/a.out"
echo "   load after (a): $(uptime)"
fi

if [[ " $PATHS " == *" promotions "* ]]; then
echo "== (b) POST /api/v1/promotions (stored decision, outbox write not sent), $RATE/s for $DURATION s after $WARMUP s warm-up; load: $(uptime)"
java bench/OpenLoop.java "$API/promotions" "$ADMIN" "$PROMOTE" "$RATE" "$DURATION" 201 "$WARMUP" | tee "$WORK/b.out"
echo "   load after (b): $(uptime)"
STORED=$(curl -fs -H "Authorization: Bearer $ADMIN" "$API/decisions?model=$MODEL&limit=1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["items"][0]["outcome"])')
echo "   newest stored decision: $STORED"
fi

echo "== load after: $(uptime)"
[ -f "$WORK/a.out" ] && echo "RESULT evaluate $(sed -n 's/^RESULT //p' "$WORK/a.out")"
[ -f "$WORK/b.out" ] && echo "RESULT promotions $(sed -n 's/^RESULT //p' "$WORK/b.out")"
true
