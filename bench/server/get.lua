-- get.lua — wrk: GET /api/v1/reports/R<n> for n spread over 1..ACD_BENCH_REPORTS, with the
-- bearer token in ACD_BENCH_TOKEN. Every request is a durable, audited read (the server
-- appends an audit entry and waits for its group's fsync before answering).
local token = os.getenv("ACD_BENCH_TOKEN")
local reports = tonumber(os.getenv("ACD_BENCH_REPORTS") or "1000")
local requests = {}
local next_i = 1

function setup(thread)
	thread:set("first", thread_count or 0)
	thread_count = (thread_count or 0) + 1
end

function init(args)
	assert(token and token ~= "", "ACD_BENCH_TOKEN is not set")
	local headers = {["Authorization"] = "Bearer " .. token}
	-- A fixed shuffled cycle per thread: every id is read, no two threads in step.
	math.randomseed(1000 + (first or 0))
	for n = 1, reports do
		requests[n] = wrk.format("GET", "/api/v1/reports/R" .. n, headers)
	end
	for n = reports, 2, -1 do
		local k = math.random(n)
		requests[n], requests[k] = requests[k], requests[n]
	end
end

function request()
	local r = requests[next_i]
	next_i = next_i % reports + 1
	return r
end

dofile(os.getenv("ACD_BENCH_DIR") .. "/report.lua")
