-- The load generator's script for make bench (bench/run.py).
-- Each wrk thread holds one connection and its own signed-in session, taken in
-- turn from BENCH_COOKIES ("sessionid=...,sessionid=..."), so eight connections
-- are eight users rather than one session written eight times at once.
-- done() prints the figures as one JSON line that run.py reads.

local cookies = {}
for cookie in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^,]+") do
  table.insert(cookies, cookie)
end
local created = 0

function setup(thread)
  created = created + 1
  if #cookies > 0 then
    thread:set("cookie", cookies[((created - 1) % #cookies) + 1])
  end
end

function init(args)
  if cookie then
    wrk.headers["Cookie"] = cookie
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "max": %d, "p50": %d, "p90": %d, ' ..
    '"p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
