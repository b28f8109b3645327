-- wrk script for bench/redirect.ts: the same visitors as bench/load.ts (browser user agents, a
-- returning visitor's cookie on every fourth request, one visitor per connection slot). Prints
-- one JSON line. There is no per-response callback (wrk would build a Lua table of headers for
-- every answer): the redirects are the requests less the non-2xx/3xx answers, and the only 2xx/3xx
-- answer the redirect gives is its 302.
-- Usage: wrk -t1 -c64 -d10s -s bench/load.lua URL   (BENCH_AGENTS: user agents joined by "\n")

local agents = {}
for line in string.gmatch(os.getenv("BENCH_AGENTS") or "", "[^\n]+") do
  agents[#agents + 1] = line
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

local requests = {}
local next_request = 0

function init(args)
  for n = 0, 63 do
    for k = 0, 7 do
      local headers = {
        ["User-Agent"] = agents[((n + k) % #agents) + 1],
        ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ["Accept-Language"] = "zh-CN,zh;q=0.9,en;q=0.8",
      }
      if k % 4 == 0 then
        headers["Cookie"] = string.format("tk_v=benchvisitor%d%04d", id, n)
      end
      requests[#requests + 1] = wrk.format("GET", nil, headers)
    end
  end
end

function request()
  next_request = next_request + 1
  return requests[(next_request % #requests) + 1]
end

function done(summary, latency, requests)
  local errors = summary.errors
  local redirected = summary.requests - errors.status
  io.write(string.format(
    '{"rps":%.1f,"total":%d,"p50":%.3f,"p99":%.3f,"redirects":%d,"errors":%d,"non302":%d}\n',
    summary.requests / (summary.duration / 1e6), summary.requests,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, redirected,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
