#!/usr/bin/env bash
# Webhook ingestion benchmark: signature check + durable inbox insert + 2xx, against the packaged
# app on its embedded PostgreSQL (synchronous_commit=on, fsync=on), over loopback.
#   (a) max sustained deliveries/s   wrk, 2 threads, $CONNECTIONS connections, $DURATION s
#   (b) latency at a fixed 500/s      bench/SignedDeliveries.java (open loop; wrk has no fixed rate)
#   (c) pgbench, same PostgreSQL, same run: a single-row INSERT of the same row into a copy of the
#       inbox table (same columns, indexes and unique key), prepared, autocommit, same durability
# Inbox *processing* is switched off while measuring (quantgate.webhook.inbox.enabled=false) so
# that a growing backlog does not compete with what is measured; ingestion is the same code path.
#
# Needs: mvn -B package -DskipTests (target/quarkus-app), java 17, wrk and pgbench
#   Debian 12: apt-get install -y wrk postgresql-15   (pgbench ships with the PostgreSQL server
#   package there; other distributions put it in their PostgreSQL server or contrib package)
# Usage: bench/webhook-ingest.sh            env: DURATION=30 CONNECTIONS=64 THREADS=2 RATE=500
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
RATE=${RATE:-500}
JAR=target/quarkus-app/quarkus-run.jar
SECRET=bench-webhook-secret
ADMIN=bench-admin-token-0123456789abcdef

for tool in java wrk pgbench psql curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk postgresql-15 (pgbench, psql) and a JDK 17" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B package -DskipTests first" >&2; exit 2; }

WORK=$(mktemp -d /tmp/quantgate-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
APP_PID=
cleanup() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== load before: $(uptime)"
java -Xmx1g -Dquantgate.db.data-dir="$WORK/pg" -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 \
  -Dquantgate.webhook.secrets="$SECRET" -Dquantgate.security.admin-token="$ADMIN" \
  -Dquantgate.webhook.inbox.enabled=false -Dquarkus.log.level=WARN \
  -jar "$JAR" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; exit 1; }
  sleep 1
done
PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
# the embedded server asks for passwords (generated into its data directory on first start)
export PGPASSWORD=$(sed -n 's/^superuser\.password=//p' "$WORK/pg/quantgate-credentials.properties")
echo "== QuantGate on :$PORT, embedded PostgreSQL on :$PG_PORT"
PSQL_ARGS=(-h 127.0.0.1 -p "$PG_PORT" -U postgres)
psql "${PSQL_ARGS[@]}" -Atc "SHOW synchronous_commit" postgres | sed 's/^/   synchronous_commit=/'
psql "${PSQL_ARGS[@]}" -Atc "SHOW fsync" postgres | sed 's/^/   fsync=/'

# enough unique deliveries for warm-up + the measured run at up to ~6,000/s
COUNT=$(( (DURATION + 10) * 6000 ))
echo "== generating $COUNT signed deliveries"
java bench/SignedDeliveries.java generate "$COUNT" "$SECRET" >"$WORK/deliveries.tsv"
split -n l/2 -d "$WORK/deliveries.tsv" "$WORK/part-"   # part-00: warm-up, part-01: measured

echo "== warm-up (10 s)"
DELIVERIES="$WORK/part-00" WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d10s \
  -s bench/webhook-ingest.lua "http://127.0.0.1:$PORT" >/dev/null

echo "== (a) sustained: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
DELIVERIES="$WORK/part-01" WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
  -s bench/webhook-ingest.lua "http://127.0.0.1:$PORT" | tee "$WORK/wrk.out"
WRK_RPS=$(sed -n "s/^RPS=//p" "$WORK/wrk.out")
grep -q "Non-2xx" "$WORK/wrk.out" && echo "!! some answers were not 2xx (see above)"
STORED=$(psql "${PSQL_ARGS[@]}" -Atc "SELECT count(*) FROM webhook_delivery" postgres)
echo "   rows in the inbox: $STORED"

echo "== (b) fixed rate: $RATE deliveries/s for $DURATION s"
java bench/SignedDeliveries.java rate "http://127.0.0.1:$PORT/api/v1/mlflow/webhooks" "$SECRET" "$RATE" "$DURATION" \
  | tee "$WORK/rate.out"
P99=$(sed -n 's/^P99_MS=//p' "$WORK/rate.out")

echo "== (c) pgbench: single-row INSERT into a copy of the inbox table, $CONNECTIONS clients, $THREADS threads"
psql "${PSQL_ARGS[@]}" -q postgres <<'SQL'
DROP TABLE IF EXISTS bench_delivery;
CREATE TABLE bench_delivery (LIKE webhook_delivery INCLUDING ALL);
SQL
# pgbench reads ":name" as a variable even inside literals, so the colons of the key and of the
# timestamp are spelled chr(58); the stored row is the same size and shape as a delivery's.
cat >"$WORK/insert.sql" <<'SQL'
INSERT INTO bench_delivery (delivery_id, signed_at, entity, action, model_name, order_key, body, status)
VALUES (gen_random_uuid()::text, 1795715460, 'model_version_tag', 'set', 'bench-model-' || (random() * 50)::int,
        'model' || chr(58) || 'bench-model-' || (random() * 50)::int,
        replace('{"entity": "model_version_tag", "action": "set", "timestamp": "2026-11-26T23|59|59.123456Z", "data": {"name": "bench-model-7", "version": "1", "key": "step", "value": "123456"}}', '|', chr(58)),
        'pending');
SQL
pgbench "${PSQL_ARGS[@]}" -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$WORK/insert.sql" postgres \
  | tee "$WORK/pgbench.out"
PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out" | head -1)

echo "== load after: $(uptime)"
echo
echo "RESULT sustained_deliveries_per_s=$WRK_RPS p99_ms_at_${RATE}_per_s=$P99 pgbench_inserts_per_s=$PG_TPS" \
  "ratio=$(python3 -c "print(round($WRK_RPS / $PG_TPS, 2))")"
