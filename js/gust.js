// The "gust" module as scripts see it. Compiled once; every VU runtime calls it with its own
// natives. It returns get(name), which builds an export on first use: a runtime holds only the
// classes its script touches, which matters at 10,000 runtimes (each function object costs
// about 800 bytes of heap). Go finds gust's classes by the markers on their prototypes
// (__gustUser, __gustTaskSet, __gustSequential, __gustFlow), never by identity, so nothing has
// to be built just to be compared against.
(function (native) {
  "use strict";
  const built = {};
  // native("mark", cls, marker, value) marks cls.prototype for Go and returns cls; for User and
  // TaskSet it also gives instances `client` and `environment`, served by Go without getter
  // functions.
  function make(name) {
    switch (name) {
      case "User":
        /** One kind of simulated user. */
        return native("mark", class User {}, "__gustUser", true);
      case "HttpUser":
        /** A user with an HTTP client (Locust's HttpUser). */
        return class HttpUser extends get("User") {};
      case "TaskSet":
        /** A group of tasks with its own tasks, waitTime and onStart/onStop (Locust's TaskSet). */
        return native("mark", class TaskSet {
          constructor(parent) {
            this.parent = parent;
            this.user = parent.__gustUser ? parent : parent.user;
          }
          /** Returns to the parent; with reschedule (the default) the parent waits first. */
          interrupt(reschedule = true) { throw new (get("InterruptTaskSet"))(reschedule); }
        }, "__gustTaskSet", true);
      case "SequentialTaskSet":
        /** A TaskSet whose tasks run in the order they are listed (Locust's SequentialTaskSet). */
        return native("mark", class SequentialTaskSet extends get("TaskSet") {}, "__gustSequential", true);
      case "GustFlow":
        return class GustFlow extends Error {
          constructor(message) {
            super(message === undefined ? "" : String(message));
            this.name = new.target.name;
          }
        };
      case "StopUser":
        /** Stops this user (Locust's StopUser). */
        return native("mark", class StopUser extends get("GustFlow") {}, "__gustFlow", "StopUser");
      case "StopTest":
        /** Stops the whole test gracefully (Locust's StopTest). */
        return native("mark", class StopTest extends get("GustFlow") {}, "__gustFlow", "StopTest");
      case "RescheduleTask":
        /** Ends the current task early; the user waits and picks another (Locust's RescheduleTask). */
        return native("mark", class RescheduleTask extends get("GustFlow") {}, "__gustFlow", "RescheduleTask");
      case "InterruptTaskSet":
        /** Thrown by TaskSet.interrupt() to hand control back to the parent. */
        return native("mark", class InterruptTaskSet extends get("GustFlow") {
          constructor(reschedule) {
            super("interrupt");
            this.reschedule = reschedule !== false;
          }
        }, "__gustFlow", "InterruptTaskSet");
      case "task":
        /** task([weight,] fnOrNameOrTaskSet [, {tags}]) — an entry of a `tasks` list (Locust's @task). */
        return function task(weight, fn, opts) {
          if (typeof weight !== "number") {
            opts = fn;
            fn = weight;
            weight = 1;
          }
          return { __gustTask: true, weight, fn, tags: (opts && opts.tags) || [] };
        };
      case "SharedArray":
        /**
         * SharedArray(name, loader) — data loaded once per process (loader runs in the first
         * runtime that asks) and shared read-only by every user; elements are copied out when
         * read. Works with or without `new`.
         */
        return function SharedArray(name, loader) { return native("SharedArray")(name, loader); };
      default:
        // Go natives: between, constant, constantPacing, constantThroughput, sleep, open, env,
        // __ENV, csv, client, setupData.
        return native(name);
    }
  }
  function get(name) {
    let v = built[name];
    if (v === undefined) {
      v = make(name);
      if (name !== "setupData") built[name] = v;
    }
    return v;
  }
  return get;
})
