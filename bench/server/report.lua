-- report.lua — wrk's done() for get.lua and post.lua: one line run.sh reads,
--   BENCH requests/s p50_ms p90_ms p99_ms requests non_2xx socket_errors
-- wrk counts a status >= 400 in errors.status (acdd answers no 3xx), so non_2xx > 0 means
-- the run measured refusals, not the work: run.sh then fails.
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH %.1f %.2f %.2f %.2f %d %d %d\n",
		summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, summary.requests, e.status,
		e.connect + e.read + e.write + e.timeout))
end
