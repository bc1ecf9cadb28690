-- wrk script: GET /api/v1/registry/models?limit=$LIMIT&after=<a random model name>, so that every page
-- differs; MODELS names how many bench-model-NNNNN rows were seeded, ADMIN the bearer token.
local models = tonumber(os.getenv("MODELS") or "10000")
local limit = tonumber(os.getenv("LIMIT") or "50")
local token = os.getenv("ADMIN")

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local after = math.random(0, math.max(0, models - limit))
  local path = string.format("/api/v1/registry/models?limit=%d&after=bench-model-%05d", limit, after)
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"})
end

function done(summary, latency, requests)
  io.write(string.format("REQUESTS=%d\nERRORS=%d\nRPS=%.0f\nP50_MS=%.2f\nP95_MS=%.2f\nP99_MS=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
