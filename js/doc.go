// Package js loads gust test scripts (ES modules or TypeScript, written like a Locust
// locustfile) and runs them: every virtual user gets its own goja runtime built from programs
// compiled once.
//
// Where things are in package js. The package has four rooms; a file's prefix names its room,
// so that a reader looking for one concern opens one group of files.
//
// build: turning a script into a loaded Script, before any user runs.
//   - loader.go: Load, LoadOptions, Script, LoadError; esbuild bundling, scripts of several
//     files, readFile, the options export (not yet build_-prefixed)
//   - build_esm.go: the ES-module rewrite of esbuild's output (imports of "gust" and its
//     submodules become arguments)
//   - build_errors.go: source-mapped error messages and tracebacks (Script.jsError)
//   - build_validate.go: checks at load: weights and counts are whole numbers, every name
//     imported from "gust" exists ("did you mean")
//   - build_optionkeys.go: the check of `export const options`' keys
//   - build_loglevel.go: --log-level and whether console output shows
//
// gust: the "gust" module and the globals a script sees, one file per area.
//   - natives.go: gustExports, the names importable from "gust", and native(name), which
//     builds each on first use; the global scope (not yet gust_-prefixed)
//   - gust_sources.go: the module's parts written in JavaScript (HttpUser, TaskSet,
//     SequentialTaskSet, StopUser and the other flow errors, task, SharedArray)
//   - gust_tasks.go: users and tasks: a class's task table, tags, TaskSets, sequences, frames
//   - gust_wait.go: between, constant, constantPacing, constantThroughput, waitTime, sleep
//   - gust_globals.go: open(), console, env/__ENV, this.environment
//   - gust_client.go: the client binding: this.client's methods, request options, the URL cache
//   - gust_client_class.go: a class's client statics (tls, proxy, auth) and derived clients
//   - gust_client_async.go: the async client methods and batch(), over the event loop's lanes
//   - gust_client_response.go: the lazy response object and how a response is recorded
//   - gust_client_body.go: multipart bodies and compressed request bodies
//   - gust_client_cookies.go: this.client.cookies
//   - gust_client_tags.go: per-request tags and the sub-metrics they select
//   - gust_shared.go: SharedArray and csv(): data loaded once per process, shared read-only
//   - gust_metrics.go: custom metrics (Counter, Gauge, Rate, Trend) and check()
//   - gust_events.go: record(), events.request's fire and on, events.testStart/testStop
//   - gust_web.go, gust_web_sources.go: web globals (btoa, TextEncoder, URL, crypto...)
//   - gust_modules.go: the submodules "gust/crypto" and "gust/encoding"
//   - gust_websocket.go, gust_websocket_shared.go: WebSocket, and what its users share
//
// adapter: what the engine and the run call.
//   - adapter.go: Test (an engine.Test), TestConfig, NewTest, NewUser, the classes' info
//   - adapter_user.go: user (an engine.User): Start, Step, Stop, Interrupt; flow control
//     (StopUser, StopTest, interrupt) and how a task's error is classified
//   - adapter_lifecycle.go: setup/teardown, Shape (shape()), hook errors
//   - adapter_stages.go: LoadShape and the load shape from options.stages
//   - adapter_single.go: RunSingle (--single-user)
//   - adapter_summary.go: handleSummary
//   - adapter_outside.go: the watch on JavaScript outside the tasks (StuckError)
//   - adapter_host.go: Test.WithHost, Test.Script
//   - adapter_env.go: Environ, the env / __ENV a script reads
//   - adapter_ratios.go: WriteTaskRatios (--show-task-ratio)
//
// runtime: one user's goja runtime.
//   - runtime_vu.go: vu, its state grouped by room (moduleState, taskState, clientBinding),
//     newVU, the merge of several files' exports
//   - runtime_loop.go: eventLoop: timers, async requests' completions, promises, abort
//   - runtime_exceptions.go: the log of script exceptions shown once each
//   - runtime_terminal.go: escaping what scripts print to the terminal
package js
