-- wrk script for invoice-service: the same three loads as the Flask anchor of the seed
-- stack (its bench.lua), with a bearer token and UUID ids.
-- MODE=get  : GET /invoices/<random id of IDS_FILE>
-- MODE=post : POST /invoices with the 10-line body in BODY_FILE
-- MODE=list : GET /invoices?page=<random 0..N/10-1>&size=10
-- MODE=health : GET /health (the floor: one trivial store read, the outbox's pending count)
-- done() prints: RESULT rps p50_ms p99_ms requests errors
local mode = os.getenv("MODE") or "get"
local token = os.getenv("TOKEN")
local counter = 1
local ids = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  for line in io.lines(os.getenv("IDS_FILE")) do
    ids[#ids + 1] = line
  end
  headers = {["Authorization"] = "Bearer " .. token}
  if mode == "post" then
    local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
    local body = f:read("*a")
    f:close()
    post_req = wrk.format("POST", "/invoices",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
  end
end

function request()
  if mode == "post" then
    return post_req
  elseif mode == "health" then
    return wrk.format("GET", "/health")
  elseif mode == "list" then
    local pages = math.max(1, math.floor(#ids / 10))
    return wrk.format("GET", "/invoices?page=" .. math.random(0, pages - 1) .. "&size=10", headers)
  end
  return wrk.format("GET", "/invoices/" .. ids[math.random(1, #ids)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors))
end
