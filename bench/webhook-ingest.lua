-- wrk script: POSTs pre-signed MLflow deliveries, each delivery id once (no duplicates).
-- DELIVERIES names the file from `java bench/SignedDeliveries.java generate`; WRK_THREADS the -t value.
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(os.getenv("WRK_THREADS") or "1")
  requests = {}
  local n = 0
  for line in io.lines(os.getenv("DELIVERIES")) do
    if n % threads == tid then
      local id, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/api/v1/mlflow/webhooks", {
        ["Content-Type"] = "application/json",
        ["X-MLflow-Delivery-Id"] = id,
        ["X-MLflow-Timestamp"] = ts,
        ["X-MLflow-Signature"] = sig,
      }, body)
    end
    n = n + 1
  end
  index = 0
end

function request()
  index = index + 1
  if index > #requests then
    -- out of unique deliveries: wrap (the server then answers 200 duplicate); generate more
    index = 1
  end
  return requests[index]
end

function done(summary, latency, requests)
  io.write(string.format("REQUESTS=%d\nRPS=%.0f\nP99_MS=%.2f\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000))
end
