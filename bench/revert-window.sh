#!/usr/bin/env bash
# Revert window benchmark, webhook path: the packaged app on its embedded PostgreSQL against a stand-in MLflow
# (bench/StandInMlflow.java) that makes $SETS direct sets of the protected alias `champion` (to a version the policy
# denies), $RATE per second round robin over $MODELS models, each followed by the signed model_version_alias.created
# delivery MLflow sends. QuantGate: delivery → inbox (202) → inbox processor → mirror AliasMoved → AliasGuard decides
# (deny) → outbox SetAlias back to version 1 + reverted tag → dispatcher → MLflow. The window is the stand-in's
# set → QuantGate's revert call answered; the echo deliveries (the revert's own alias set, the tag) go back to
# QuantGate as MLflow would send them, and must not be reverted. The poller is off (quantgate.mlflow.poll-interval=0),
# so only the webhook path acts. Target (issue 11): p99 under 2 s. Prints `uptime` before and after.
#
# Needs: mvn -q -DskipTests package (target/quarkus-app), java 17, curl, python3, psql
# Usage: bench/revert-window.sh     env: SETS=240 RATE=4 MODELS=8
set -euo pipefail
cd "$(dirname "$0")/.."

SETS=${SETS:-240}
RATE=${RATE:-4}
MODELS=${MODELS:-8}
JAR=target/quarkus-app/quarkus-run.jar
CP='target/quarkus-app/app/*:target/quarkus-app/lib/main/*'
ADMIN=bench-admin-token-0123456789abcdef
SECRET=bench-webhook-secret-0123456789

for tool in java curl python3 psql; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -q -DskipTests package first" >&2; exit 2; }

WORK=$(mktemp -d /tmp/quantgate-revert-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MLFLOW_PORT=$(free_port)
APP_PID=
MLFLOW_PID=
cleanup() {
  for pid in "$APP_PID" "$MLFLOW_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"; wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

NAMES=$(for i in $(seq 0 $((MODELS - 1))); do printf 'bench-rv-%s ' "$i"; done)
mkdir -p "$WORK/policies"
java -cp "$CP" bench/GateSeed.java policy "$WORK/policies" bench-revert fail 'bench-rv-*'
java bench/StandInMlflow.java "$MLFLOW_PORT" "http://127.0.0.1:$PORT/api/v1/mlflow/webhooks" "$SECRET" "$WORK/go" \
  "$SETS" "$RATE" $NAMES >"$WORK/mlflow.out" 2>"$WORK/mlflow.err" &
MLFLOW_PID=$!

echo "== load before: $(uptime)"
java -Xmx1g -Dquantgate.db.data-dir="$WORK/pg" -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 \
  -Dquantgate.security.admin-token="$ADMIN" -Dquantgate.policies.dir="$WORK/policies" \
  -Dquantgate.mlflow.url="http://127.0.0.1:$MLFLOW_PORT" -Dquantgate.mlflow.poll-interval=0 \
  -Dquantgate.webhook.secrets="$SECRET" -Dquarkus.log.level=WARN \
  -jar "$JAR" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; exit 1; }
  sleep 1
done
PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
PGPASS=$(sed -n 's/^superuser\.password=//p' "$WORK/pg/quantgate-credentials.properties")
java -cp "$CP" bench/GateSeed.java seed "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" "$PGPASS" bench-revert $NAMES \
  2>"$WORK/seed.err" || { cat "$WORK/seed.err"; exit 1; }

echo "== $SETS direct sets of champion, $RATE/s over $MODELS model(s); load: $(uptime)"
touch "$WORK/go"
wait "$MLFLOW_PID" || { echo "stand-in MLflow failed:"; cat "$WORK/mlflow.out" "$WORK/mlflow.err"; exit 1; }
MLFLOW_PID=
cat "$WORK/mlflow.out"
grep -v '^SLF4J' "$WORK/mlflow.err" | head -5 || true
echo "== load after: $(uptime)"

API="http://127.0.0.1:$PORT/api/v1"
REVERTS=$(curl -fs "http://127.0.0.1:$PORT/q/metrics" | sed -n 's/^quantgate_gate_reverts_total{policy="bench-revert"} //p')
echo "   quantgate_gate_reverts_total{policy=\"bench-revert\"} = ${REVERTS:-0} (expected $SETS: echoes are not reverted)"
# where the time goes, from QuantGate's own rows: the inbox (a direct set's delivery stored → processed, which
# includes the decision and the enqueued revert) and the outbox (revert enqueued → MLflow answered)
export PGPASSWORD="$PGPASS"
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -At -F ' ' postgres <<'SQL'
SELECT 'inbox  delivery stored -> processed   ms: p50 ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)
       || '  p95 ' || round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1)
       || '  p99 ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) || '  max ' || round(max(ms)::numeric, 1)
       || '  (' || count(*) || ' direct sets)'
  FROM (SELECT extract(epoch FROM processed_at - received_at) * 1000 AS ms FROM webhook_delivery
         WHERE entity = 'model_version_alias' AND body LIKE '%"version": "2"%') t;
SELECT 'outbox revert enqueued -> answered    ms: p50 ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)
       || '  p95 ' || round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1)
       || '  p99 ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) || '  max ' || round(max(ms)::numeric, 1)
       || '  (' || count(*) || ' set-alias writes)'
  FROM (SELECT extract(epoch FROM sent_at - created_at) * 1000 AS ms FROM mlflow_outbox WHERE kind = 'set-alias') t;
SQL
sed -n 's/^RESULT /RESULT revert_window /p' "$WORK/mlflow.out"
