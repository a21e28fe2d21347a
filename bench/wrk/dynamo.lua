-- wrk script for the DynamoDB JSON API, shared by every server the harness measures.
--
-- Configured through the environment (bench/harness.py sets these):
--   BENCH_OP        put | get | query | mix
--   BENCH_TABLE     table name
--   BENCH_KEYS      size of the key space (items 0 .. KEYS-1; for query: partitions)
--   BENCH_SIZE      item size in bytes, approximately as DynamoDB counts it
--   BENCH_READ_PCT  mix only: percentage of GetItem, the rest are UpdateItem
--   BENCH_PAGE      query only: Limit of each Query (items per partition are loaded to match)
--   BENCH_SEED      base seed; each wrk thread adds its own number
--   BENCH_RATE      optional: requests per second for this wrk process (paced, see delay() below);
--                   unset or 0 means as fast as the connections go
--   BENCH_SIGNED    optional: a file of requests signed beforehand with real SigV4 signatures
--                   (bench/auth_compare.py writes it); each request is drawn from it instead of
--                   being built here, because wrk's Lua has no HMAC. One request per line:
--                   target TAB x-amz-date TAB authorization TAB body
--
-- Each request carries X-Amz-Target, the DynamoDB content type, an Authorization header of SigV4
-- shape (neither Tidemark nor DynamoDB Local verifies the signature) and a JSON body. Keys are drawn
-- uniformly from the fixed key space by a per-thread random generator.
--
-- done() prints one machine-readable line starting with BENCH_RESULT; the harness parses it.
-- Latencies come from wrk's own histogram (microseconds).

local op = os.getenv("BENCH_OP") or "get"
local tableName = os.getenv("BENCH_TABLE") or "bench"
local keys = tonumber(os.getenv("BENCH_KEYS") or "10000")
local size = tonumber(os.getenv("BENCH_SIZE") or "200")
local readPct = tonumber(os.getenv("BENCH_READ_PCT") or "50")
local page = tonumber(os.getenv("BENCH_PAGE") or "10")
local seed = tonumber(os.getenv("BENCH_SEED") or "42")

local threads = {}
local threadCount = 0

function setup(thread)
  threadCount = threadCount + 1
  thread:set("tid", threadCount)
  table.insert(threads, thread)
end

local function headers(target)
  return {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "DynamoDB_20120810." .. target,
    ["X-Amz-Date"] = "20250101T000000Z",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/dynamodb/aws4_request, "
      .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
      .. "Signature=0000000000000000000000000000000000000000000000000000000000000000",
  }
end

local H = {
  PutItem = headers("PutItem"),
  GetItem = headers("GetItem"),
  UpdateItem = headers("UpdateItem"),
  Query = headers("Query"),
}

-- Payloads are random letters and digits, so that storage compression does not flatter anyone.
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local payloads = {}
local POOL = 32

-- Bytes DynamoDB counts for an item {pk: S key, d: S payload, c: N}: names plus values.
-- The key is 10 characters ("k" + 9 digits); the number is a few bytes. Payload = size - overhead.
local function payloadLength()
  local n = size - (2 + 10) - 1 - (1 + 8)
  if n < 1 then n = 1 end
  return n
end

local function randomPayload(n)
  local parts = {}
  for i = 1, n do
    local j = math.random(1, #alphabet)
    parts[i] = alphabet:sub(j, j)
  end
  return table.concat(parts)
end

misses = 0 -- global: done() reads it per thread with thread:get
local tid = 0

local signed = nil

-- Called from init(): wrk.format adds the Host header only once wrk knows the host.
local function loadSigned(path)
  signed = {}
  for line in io.lines(path) do
    local target, date, auth, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local h = {
      ["Content-Type"] = "application/x-amz-json-1.0",
      ["X-Amz-Target"] = "DynamoDB_20120810." .. target,
      ["X-Amz-Date"] = date,
      ["Authorization"] = auth,
    }
    signed[#signed + 1] = wrk.format("POST", "/", h, body)
  end
end

function init(args)
  tid = wrk.thread:get("tid") or 0
  math.randomseed(seed + 7919 * tid)
  local n = payloadLength()
  for i = 1, POOL do
    payloads[i] = randomPayload(n)
  end
  local signedPath = os.getenv("BENCH_SIGNED")
  if signedPath ~= nil and signedPath ~= "" then
    loadSigned(signedPath)
  end
end

local function key(i)
  return string.format("k%09d", i)
end

local function put(i)
  local body = '{"TableName":"' .. tableName .. '","Item":{"pk":{"S":"' .. key(i)
    .. '"},"d":{"S":"' .. payloads[math.random(1, POOL)]
    .. '"},"c":{"N":"' .. math.random(1, 99999999) .. '"}}}'
  return wrk.format("POST", "/", H.PutItem, body)
end

local function get(i)
  local body = '{"TableName":"' .. tableName .. '","Key":{"pk":{"S":"' .. key(i) .. '"}}}'
  return wrk.format("POST", "/", H.GetItem, body)
end

local function update(i)
  local body = '{"TableName":"' .. tableName .. '","Key":{"pk":{"S":"' .. key(i)
    .. '"}},"UpdateExpression":"SET c = :c","ExpressionAttributeValues":{":c":{"N":"'
    .. math.random(1, 99999999) .. '"}}}'
  return wrk.format("POST", "/", H.UpdateItem, body)
end

local function query(p)
  local body = '{"TableName":"' .. tableName
    .. '","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"'
    .. string.format("p%07d", p) .. '"}},"Limit":' .. page .. '}'
  return wrk.format("POST", "/", H.Query, body)
end

-- What each response must contain to count as a success beyond its 200 status.
local expect = nil
if op == "get" then
  expect = '"Item"'
elseif op == "query" then
  expect = '"Items"'
end

local lastWasRead = false

function request()
  if signed ~= nil then
    return signed[math.random(1, #signed)]
  end
  local i = math.random(0, keys - 1)
  if op == "put" then
    return put(i)
  elseif op == "get" then
    return get(i)
  elseif op == "query" then
    return query(i)
  elseif op == "mix" then
    if math.random(1, 100) <= readPct then
      return get(i)
    end
    return update(i)
  end
  error("unknown BENCH_OP " .. op)
end

-- Pacing (BENCH_RATE): each thread keeps a schedule of send times, one every threads/rate seconds,
-- and delay() hands the next free slot to whichever connection asks, so the rate does not depend on
-- the server's latency as long as enough connections are free (an open loop up to -c). A thread
-- that falls behind catches up at most one second's worth, then drops the missed slots. Defined
-- only when pacing, since wrk calls delay() before every request once it exists.
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]])
  local ts = ffi.new("bench_timespec")
  local function nowMs()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local intervalMs = nil
  local nextDue = nil
  function delay()
    local now = nowMs()
    if intervalMs == nil then
      local n = tonumber(os.getenv("BENCH_THREADS") or "1")
      intervalMs = 1000 * n / rate
      nextDue = now
    end
    if nextDue < now - 1000 then
      nextDue = now - 1000
    end
    local due = nextDue
    nextDue = nextDue + intervalMs
    if due <= now then
      return 0
    end
    return math.floor(due - now)
  end
end

function response(status, hdrs, body)
  if status == 200 and expect ~= nil and not string.find(body, expect, 1, true) then
    misses = misses + 1
  end
end

function done(summary, latency, requests)
  local totalMisses = 0
  for _, t in ipairs(threads) do
    totalMisses = totalMisses + (t:get("misses") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d timeouts=%d misses=%d "
      .. "p50_us=%d p90_us=%d p99_us=%d p999_us=%d mean_us=%.1f max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    totalMisses,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.mean, latency.max))
end
