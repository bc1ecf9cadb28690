-- wrk summary for bench/proxy-overhead.sh: one KEY=value per line
function done(summary, latency, requests)
  io.write(string.format("REQUESTS=%d\nERRORS=%d\nRPS=%.0f\nP50_MS=%.3f\nP99_MS=%.3f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
