-- wrk script for scripts/bench-hooks.sh's backlog: scripts/bench-ingest.lua's unique callbacks,
-- and each thread stops once it has sent LIMIT requests (wrk itself still waits for -d).
-- Usage: wrk ... -s scripts/bench-hooks-fill.lua URL -- SOURCE TAG LIMIT
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  source = args[1] or "load"
  tag = args[2] or "run"
  limit = tonumber(args[3] or "0")
  counter = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  counter = counter + 1
  local body = string.format('{"status":"invoice:paid","id":"%s-%d-%d","amount":"12.34","devise":"EUR"}',
    tag, tid, counter)
  return wrk.format("POST", "/hooks/" .. source, headers, body)
end

function response(status, headers, body)
  if counter >= limit then wrk.thread:stop() end
end
