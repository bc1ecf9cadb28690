#!/usr/bin/env bash
# Registry model list benchmark: GET /api/v1/registry/models?limit=50 (a page of models, each with its
# aliases, tags and version count) against the packaged app on its embedded PostgreSQL, with $MODELS
# models mirrored (seeded straight into the mirror tables: 3 versions, 2 aliases and 2 tags each).
# Target (issue 8): at 50 per page with 10,000 models, p95 under 20 ms and at least 1,000 requests/s.
#
# Needs: mvn -B package -DskipTests (target/quarkus-app), java 17, wrk, psql, curl, python3
#   Debian 12: apt-get install -y wrk postgresql-client
# Usage: bench/registry-list.sh        env: MODELS=10000 LIMIT=50 DURATION=30 CONNECTIONS=16 THREADS=2
#   JAVA_OPTS (extra JVM options, e.g. -XX:StartFlightRecording=filename=/tmp/list.jfr,settings=profile)
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=${MODELS:-10000}
LIMIT=${LIMIT:-50}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
JAR=target/quarkus-app/quarkus-run.jar
ADMIN=bench-admin-token-0123456789abcdef

for tool in java wrk psql curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk postgresql-client and a JDK 17" >&2; exit 2; }
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
java -Xmx1g ${JAVA_OPTS:-} -Dquantgate.db.data-dir="$WORK/pg" -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 \
  -Dquantgate.security.admin-token="$ADMIN" -Dquarkus.log.level=WARN \
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
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q postgres)

echo "== seeding $MODELS models (3 versions, 2 aliases, 2 tags each)"
"${PSQL[@]}" <<SQL
INSERT INTO registry_model (name, description, created_at, mirrored_at, updated_at)
SELECT 'bench-model-' || lpad(i::text, 5, '0'), 'benchmark model ' || i, now(), now(), now()
FROM generate_series(1, $MODELS) i;
INSERT INTO registry_version (model_id, version, source, run_id, status, current_stage, created_at, mirrored_at, updated_at)
SELECT m.id, v, 'mlflow-artifacts:/1/' || md5(m.name) || '/artifacts/model', md5(m.name), 'READY', 'None', now(), now(), now()
FROM registry_model m, generate_series(1, 3) v WHERE m.name LIKE 'bench-model-%';
INSERT INTO registry_alias (model_id, alias, version, since)
SELECT m.id, a.alias, a.version, now() FROM registry_model m,
       (VALUES ('champion', 2), ('challenger', 3)) AS a(alias, version) WHERE m.name LIKE 'bench-model-%';
INSERT INTO registry_model_tag (model_id, tag_key, tag_value, updated_at)
SELECT m.id, t.k, t.v, now() FROM registry_model m, (VALUES ('owner', 'team-a'), ('risk', 'high')) AS t(k, v)
WHERE m.name LIKE 'bench-model-%';
ANALYZE;
SQL
curl -fs -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/api/v1/registry/models?limit=2" \
  | python3 -c 'import json,sys; p=json.load(sys.stdin); m=p["items"][0]; print("   first model:", m["name"], "versions", m["versions"], "aliases", [a["alias"] for a in m["aliases"]], "tags", m["tags"])'

echo "== warm-up (10 s)"
MODELS=$MODELS LIMIT=$LIMIT ADMIN=$ADMIN wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s bench/registry-list.lua \
  "http://127.0.0.1:$PORT" >/dev/null

echo "== measured: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $LIMIT per page, random pages of $MODELS models"
MODELS=$MODELS LIMIT=$LIMIT ADMIN=$ADMIN wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
  -s bench/registry-list.lua "http://127.0.0.1:$PORT" | tee "$WORK/wrk.out"
grep -q "Non-2xx" "$WORK/wrk.out" && echo "!! some answers were not 2xx (see above)"

echo "== load after: $(uptime)"
echo
echo "RESULT models=$MODELS per_page=$LIMIT requests_per_s=$(sed -n 's/^RPS=//p' "$WORK/wrk.out")" \
  "p95_ms=$(sed -n 's/^P95_MS=//p' "$WORK/wrk.out") p99_ms=$(sed -n 's/^P99_MS=//p' "$WORK/wrk.out")" \
  "(target: p95 < 20 ms, >= 1000 requests/s)"
