-- wrk script of the serving benchmark: POST the batch-1 OIP request in the file named by the
-- environment variable BODY to the URL given on the command line, and at the end print one JSON
-- line: requests, seconds, req/s, latency p50/p99/mean/max in microseconds, errors (non-2xx
-- responses, socket errors, timeouts).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(assert(os.getenv("BODY"), "set BODY"), "rb"))
wrk.body = f:read("*a")
f:close()

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"req_per_s":%.1f,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"non2xx":%d,"socket_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    e.status, e.connect + e.read + e.write, e.timeout))
end
