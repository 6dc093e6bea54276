-- wrk script of `bench/run.py --load`: one request kind per wrk process.
--
--   wrk -t1 -c60 -d60s --latency -s load.lua http://127.0.0.1:PORT -- KIND USERS_FILE
--
-- KIND: live (GET /health/live), ready (GET /health/ready), me (GET /api/v1/auth/me)
-- or update (PATCH /api/v1/users/{id} changing the name). USERS_FILE: one "id token"
-- line per account; requests take the accounts in turn. Every response's status is
-- counted, and done() prints one line, "WRK_JSON {...}", that run.py reads.

local kind
local accounts = {}
local count = 0
local turn = 0
statuses = {}

function init(args)
  kind = args[1]
  for line in io.lines(args[2]) do
    local id, token = line:match("^(%S+) (%S+)$")
    count = count + 1
    accounts[count] = { path = "/api/v1/users/" .. id, auth = "Bearer " .. token }
  end
end

function request()
  turn = turn + 1
  local account = accounts[turn % count + 1]
  if kind == "live" then
    return wrk.format("GET", "/health/live")
  elseif kind == "ready" then
    return wrk.format("GET", "/health/ready")
  elseif kind == "me" then
    return wrk.format("GET", "/api/v1/auth/me", { Authorization = account.auth })
  elseif kind == "update" then
    return wrk.format(
      "PATCH",
      account.path,
      { Authorization = account.auth, ["Content-Type"] = "application/json" },
      '{"name":"Bench ' .. turn .. '"}'
    )
  end
  error("unknown kind " .. tostring(kind))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(totals) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, table.concat(parts, ",")
  ))
end
