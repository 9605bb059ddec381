// The "gust" module as scripts see it. Compiled once; every VU runtime calls it with its own
// natives (client, sleep, wait-time factories) so that nothing JavaScript is shared between VUs.
(function (native) {
  "use strict";
  class GustFlow extends Error {
    constructor(message) {
      super(message === undefined ? "" : String(message));
      this.name = new.target.name;
    }
  }
  /** Stops this user (Locust's StopUser). */
  class StopUser extends GustFlow {}
  /** Stops the whole test gracefully (Locust's StopTest). */
  class StopTest extends GustFlow {}
  /** Ends the current task early; the user waits and picks another (Locust's RescheduleTask). */
  class RescheduleTask extends GustFlow {}
  /** Thrown by TaskSet.interrupt() to hand control back to the parent. */
  class InterruptTaskSet extends GustFlow {
    constructor(reschedule) {
      super("interrupt");
      this.reschedule = reschedule !== false;
    }
  }

  /** One kind of simulated user. */
  class User {
    get client() { return native.client; }
    get environment() { return native.environment(); }
  }
  /** A user with an HTTP client (Locust's HttpUser). */
  class HttpUser extends User {}

  /** A group of tasks with its own tasks, waitTime and onStart/onStop (Locust's TaskSet). */
  class TaskSet {
    constructor(parent) {
      this.parent = parent;
      this.user = parent instanceof User ? parent : parent.user;
    }
    get client() { return native.client; }
    get environment() { return native.environment(); }
    /** Returns to the parent; with reschedule (the default) the parent waits first. */
    interrupt(reschedule = true) { throw new InterruptTaskSet(reschedule); }
  }
  /** A TaskSet whose tasks run in the order they are listed (Locust's SequentialTaskSet). */
  class SequentialTaskSet extends TaskSet {}

  /** task([weight,] fnOrNameOrTaskSet [, {tags}]) — an entry of a `tasks` list (Locust's @task). */
  function task(weight, fn, opts) {
    if (typeof weight !== "number") {
      opts = fn;
      fn = weight;
      weight = 1;
    }
    return { __gustTask: true, weight, fn, tags: (opts && opts.tags) || [] };
  }

  /**
   * SharedArray(name, loader) — data loaded once per process (loader runs in the first runtime
   * that asks) and shared read-only by every user; elements are copied out when read. Works
   * with or without `new`.
   */
  function SharedArray(name, loader) { return native.SharedArray(name, loader); }

  return {
    User, HttpUser, TaskSet, SequentialTaskSet, task,
    StopUser, StopTest, RescheduleTask, InterruptTaskSet,
    between: native.between,
    constant: native.constant,
    constantPacing: native.constantPacing,
    constantThroughput: native.constantThroughput,
    sleep: native.sleep,
    open: native.open,
    env: native.env,
    __ENV: native.env,
    SharedArray,
    csv: native.csv,
    get client() { return native.client; },
  };
})
