-- wrk script of the serving benchmark: POST the batch-1 OIP request in the file named by the
-- environment variable BODY to the URL given on the command line, and at the end print one JSON
-- line: requests, seconds, req/s, latency p50/p99/mean/max in microseconds, errors (non-2xx
-- responses, socket errors, timeouts), and where the latency comes from (`latency`).
--
-- PER_REQUEST=1 (with `wrk -t1 -c1`): each request timed on its own (CLOCK_MONOTONIC, from handing
-- the request to wrk to its response): exact percentiles over the requests. Without it, wrk's own
-- latency statistics, which here are not percentiles over the requests: at one connection their
-- mean times the requests exceeded the run's wall time 20-30 fold (docs/bench.md). Timing needs one
-- connection per thread (responses name no connection), so it is for -c1. An environment
-- variable, not a script argument: wrk decides whether to call request() and response() before
-- it runs init().
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(assert(os.getenv("BODY"), "set BODY"), "rb"))
wrk.body = f:read("*a")
f:close()

local timed = os.getenv("PER_REQUEST") == "1"
local threads = {}
function setup(thread) table.insert(threads, thread) end

if timed then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *t);
  ]]
  local ts = ffi.new("bench_timespec")
  local function now() -- microseconds, CLOCK_MONOTONIC
    ffi.C.clock_gettime(1, ts)
    return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
  end
  counts = {} -- microseconds -> requests, in each thread's own Lua state (done() reads them through setup's threads)
  local req, t0 = nil, 0
  request = function()
    req = req or wrk.format()
    t0 = now()
    return req
  end
  response = function()
    local us = math.floor(now() - t0)
    counts[us] = (counts[us] or 0) + 1
  end
end

-- The P-quantile of COUNTS (sorted keys KEYS, N requests).
local function quantile(counts, keys, n, p)
  local rank, acc = math.max(1, math.ceil(p * n)), 0
  for _, us in ipairs(keys) do
    acc = acc + counts[us]
    if acc >= rank then return us end
  end
  return 0
end

function done(summary, latency, requests)
  local e = summary.errors
  local p50, p99, mean, max, source = latency:percentile(50), latency:percentile(99), latency.mean, latency.max, "wrk"
  if timed then
    local all, keys, n, sum = {}, {}, 0, 0
    for _, t in ipairs(threads) do
      for us, c in pairs(t:get("counts")) do all[us] = (all[us] or 0) + c end
    end
    for us, c in pairs(all) do
      table.insert(keys, us)
      n, sum = n + c, sum + us * c
    end
    table.sort(keys)
    if n > 0 then
      p50, p99, mean, max, source = quantile(all, keys, n, 0.5), quantile(all, keys, n, 0.99), sum / n, keys[#keys], "per-request"
    end
  end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"req_per_s":%.1f,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"latency":"%s","non2xx":%d,"socket_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    p50, p99, mean, max, source, e.status, e.connect + e.read + e.write, e.timeout))
end
