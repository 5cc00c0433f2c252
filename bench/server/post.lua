-- post.lua — wrk: POST /api/v1/reports, one durable report submission per request, as the
-- operator whose token is ACD_BENCH_TOKEN.
local token = os.getenv("ACD_BENCH_TOKEN")
assert(token and token ~= "", "ACD_BENCH_TOKEN is not set")
wrk.method = "POST"
wrk.path = "/api/v1/reports"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"urgency":"alert","tlp":"amber","sector":"electricity","operator":"op-1",' ..
	'"event_type":"malware","summary":"benchmark: ransomware note on a billing server"}'

dofile(os.getenv("ACD_BENCH_DIR") .. "/report.lua")
