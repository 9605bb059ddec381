// Package bench holds gust's performance harness: run.sh compares gust with wrk and hey on a
// loopback target (bench/target), and the Go benchmarks here time the hot path — a JS task
// through the client into the recorder — the spawn of 1,000 users and histogram recording.
package bench
