-- wrk script for scripts/bench-ingest.sh: POST /hooks/<source> with a unique Nonstopay payin
-- callback per request (unique `id`, so none is a duplicate), for a `signature = "none"` source.
-- Usage: wrk ... -s scripts/bench-ingest.lua URL -- SOURCE TAG   (TAG makes ids unique per run)
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
  counter = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  counter = counter + 1
  local body = string.format('{"status":"invoice:paid","id":"%s-%d-%d","amount":"12.34","devise":"EUR"}',
    tag, tid, counter)
  return wrk.format("POST", "/hooks/" .. source, headers, body)
end
