-- (b) POST {"id": n} with n uniformly random in the seeded range 1..BENCH_ROWS.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local rows = tonumber(os.getenv("BENCH_ROWS") or "10000")

function setup(thread)
  thread:set("seed", math.random(1, 2^30))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format(nil, nil, nil, '{"id":' .. math.random(1, rows) .. '}')
end
