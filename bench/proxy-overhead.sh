#!/usr/bin/env bash
# MLflow proxy overhead: the packaged app (embedded PostgreSQL) with QUANTGATE_MLFLOW_URL at a fast stand-in MLflow
# (bench/ProxyStandIn.java: the recorded registered-models/get answer and a $MB MB artifact), each call made side by
# side straight to the stand-in and through QuantGate's proxy, in alternating rounds:
#   1. a small REST call (GET registered-models/get): wrk latency p50/p99 one request at a time (-c1: the added
#      latency, no queueing) and requests/s with $CONNECTIONS connections; overhead p50 = proxy - direct.
#   2. the $MB MB artifact download, $REPEATS times each way (curl -o /dev/null): MB/s; proxy / direct. When nginx
#      is installed (apt-get install nginx-light; PEER=none skips it), the same download also goes through nginx
#      as a streaming reverse proxy (proxy_buffering off, one worker process) in the same rounds: the peer that
#      shows what any user-space proxy costs on this machine.
# Targets (issue 11): overhead p50 < 2 ms on the small call; proxy >= 80% of direct for the 100 MB download.
#
# Needs: java 17, mvn (offline is fine), wrk, curl, python3
# Usage: bench/proxy-overhead.sh   env: DURATION=15 ROUNDS=2 CONNECTIONS=16 THREADS=2 MB=100 REPEATS=7 SKIP_BUILD=1
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
MB=${MB:-100}
REPEATS=${REPEATS:-7}
JAR=target/quarkus-app/quarkus-run.jar

for tool in java wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -n "${SKIP_BUILD:-}" ] || mvn -q -DskipTests package
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -q -DskipTests package" >&2; exit 2; }

WORK=$(mktemp -d /tmp/quantgate-proxy-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port); PROXY_PORT=$(free_port); MLFLOW_PORT=$(free_port)
APP_PID=; MLFLOW_PID=; NGINX_PID=
cleanup() {
  for pid in $APP_PID $MLFLOW_PID $NGINX_PID; do
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== load before: $(uptime)"
java -Xmx512m -Dsun.net.httpserver.nodelay=true bench/ProxyStandIn.java "$MLFLOW_PORT" "$MB" >"$WORK/mlflow.log" 2>&1 &
MLFLOW_PID=$!
QUANTGATE_MLFLOW_URL="http://127.0.0.1:$MLFLOW_PORT" QUANTGATE_MLFLOW_POLL_INTERVAL=0 \
  java -Xmx1g ${JAVA_OPTS:-} -Dquantgate.db.data-dir="$WORK/pg" -Dquarkus.http.port="$APP_PORT" \
  -Dquarkus.http.host=127.0.0.1 -Dquantgate.proxy.port="$PROXY_PORT" -Dquantgate.proxy.host=127.0.0.1 \
  -Dquarkus.log.level=WARN -jar "$JAR" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$APP_PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; exit 1; }
  sleep 1
done
DIRECT="http://127.0.0.1:$MLFLOW_PORT"
PROXY="http://127.0.0.1:$PROXY_PORT"
REST=/api/2.0/mlflow/registered-models/get?name=fixture-model
ARTIFACT=/api/2.0/mlflow-artifacts/artifacts/bench/model.bin
cmp <(curl -fs "$DIRECT$REST") <(curl -fs "$PROXY$REST") && echo "== the proxy answers the REST call byte for byte"
SIDES="direct proxy"
if [ "${PEER:-nginx}" = nginx ] && command -v nginx >/dev/null; then
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  upstream mlflow { server 127.0.0.1:$MLFLOW_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://mlflow; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
CONF
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  NGINX_PID=$!
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$NGINX_PORT$REST" && break; sleep 0.1; done
  NGINX="http://127.0.0.1:$NGINX_PORT"
  SIDES="direct proxy nginx"
fi
echo "== QuantGate on :$APP_PORT, its proxy on :$PROXY_PORT, stand-in MLflow on :$MLFLOW_PORT; $(nproc) cores"

run_wrk() { # name url connections threads -> KEY=value lines in $WORK/<name>
  wrk -t"$3" -c"$2" -d"${DURATION}s" --latency -s bench/proxy-overhead.lua "$1$REST" >"$WORK/wrk.out"
  grep -q "Non-2xx" "$WORK/wrk.out" && echo "!! some answers were not 2xx" >&2
  sed -n 's/^\(RPS\|P50_MS\|P99_MS\|ERRORS\)=/\1=/p' "$WORK/wrk.out"
}
echo "== warm-up (10 s each way)"
for url in "$DIRECT" "$PROXY"; do wrk -t"$THREADS" -c"$CONNECTIONS" -d10s "$url$REST" >/dev/null; done

echo "== small REST call: $ROUNDS alternating rounds of ${DURATION}s per measurement"
for round in $(seq 1 "$ROUNDS"); do
  for side in direct proxy; do
    url=$DIRECT; [ "$side" = proxy ] && url=$PROXY
    seq1=$(run_wrk "$url" 1 1 | tr '\n' ' ')
    par=$(run_wrk "$url" "$CONNECTIONS" "$THREADS" | tr '\n' ' ')
    echo "round=$round side=$side c1: $seq1| c$CONNECTIONS: $par" | tee -a "$WORK/rest.txt"
  done
done

echo "== $MB MB artifact download: warm-up (2 each way), then $REPEATS alternating repeats (curl -o /dev/null)"
for _ in 1 2; do for url in "$DIRECT" "$PROXY" ${NGINX:-}; do curl -fs -o /dev/null "$url$ARTIFACT"; done; done
for i in $(seq 1 "$REPEATS"); do
  for side in $SIDES; do
    url=$DIRECT; [ "$side" = proxy ] && url=$PROXY; [ "$side" = nginx ] && url=$NGINX
    read -r bytes seconds < <(curl -fs -o /dev/null -w '%{size_download} %{time_total}\n' "$url$ARTIFACT")
    [ "$bytes" -eq $((MB * 1024 * 1024)) ] || { echo "!! $side downloaded $bytes bytes" >&2; exit 1; }
    echo "repeat=$i side=$side seconds=$seconds MBps=$(python3 -c "print(round($bytes / 1048576 / $seconds, 1))")" \
      | tee -a "$WORK/artifact.txt"
  done
done
echo "== load after: $(uptime)"

python3 - "$WORK/rest.txt" "$WORK/artifact.txt" "$CONNECTIONS" "$MB" <<'PY'
import re, statistics, sys
rest, artifact, conns, mb = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]
def figures(side):
    rows = [l for l in rest.splitlines() if f"side={side}" in l]
    seq = [dict(re.findall(r"(\w+)=([\d.]+)", l.split("|")[0])) for l in rows]
    par = [dict(re.findall(r"(\w+)=([\d.]+)", l.split("|")[1])) for l in rows]
    med = lambda xs, k: statistics.median(float(x[k]) for x in xs)
    return med(seq, "P50_MS"), med(seq, "P99_MS"), med(par, "RPS"), med(par, "P50_MS"), med(par, "P99_MS")
d, p = figures("direct"), figures("proxy")
speed = lambda side: statistics.median(float(m) for m in re.findall(rf"side={side} .*MBps=([\d.]+)", artifact))
ad, ap = speed("direct"), speed("proxy")
print()
print(f"RESULT rest c1: direct p50={d[0]:.3f} ms p99={d[1]:.3f} ms, proxy p50={p[0]:.3f} ms p99={p[1]:.3f} ms,"
      f" overhead p50={p[0] - d[0]:.3f} ms (target < 2 ms)")
print(f"RESULT rest c{conns}: direct {d[2]:.0f} req/s (p50 {d[3]:.2f} ms, p99 {d[4]:.2f} ms),"
      f" proxy {p[2]:.0f} req/s (p50 {p[3]:.2f} ms, p99 {p[4]:.2f} ms)")
print(f"RESULT artifact {mb} MB: direct {ad:.0f} MB/s, proxy {ap:.0f} MB/s, proxy/direct {ap / ad:.0%} (target >= 80%)")
if "side=nginx" in artifact:
    an = speed("nginx")
    print(f"RESULT artifact {mb} MB, peer: nginx {an:.0f} MB/s, nginx/direct {an / ad:.0%}, proxy/nginx {ap / an:.0%}")
PY
