// Type declarations for gust scripts: the "gust", "gust/crypto" and "gust/encoding" modules and
// the globals every script sees. Written by `gust types DIR` and `gust new DIR`; editors use them
// for completion, and `tsc --noEmit` (with the tsconfig.json or jsconfig.json that `gust new`
// writes) checks .ts and .js scripts against them. gust itself does not type-check: it strips
// the types when it loads a .ts file.

/** Seconds to wait after a task, or a function of the user that returns them. */
type GustWaitTime = number | ((this: any) => number);

/** A value of a string-keyed map: header values, query parameters, form fields. */
type GustScalar = string | number | boolean;

/** A request or response body given as bytes. */
type GustBytes = ArrayBuffer | Uint8Array;

/** TLS settings of a class or a request; file paths are relative to the script. */
interface GustTLS {
  /** Skip certificate verification (a self-signed staging server). */
  insecure?: boolean;
  /** A PEM file of extra certificate authorities, added to the system roots. */
  ca?: string;
  /** A PEM client certificate for mutual TLS (with key). */
  cert?: string;
  /** The client certificate's PEM private key. */
  key?: string;
  /** The name sent in SNI and verified, when it differs from the URL's host. */
  serverName?: string;
  /** The lowest TLS version accepted. */
  minVersion?: "1.0" | "1.1" | "1.2" | "1.3";
}

/** One file of a multipart upload (Locust's files=). */
interface GustFile {
  /** The file name sent in the part's Content-Disposition. */
  name?: string;
  /** The file's content: a string, bytes, or open(path, "b"). */
  content: string | GustBytes;
  /** The part's Content-Type (default application/octet-stream). */
  type?: string;
}

/** The options of a request: the second argument of get/post/..., the third of request(). */
interface GustRequestOptions {
  /** Request headers, e.g. { "X-Token": "abc" }. */
  headers?: Record<string, GustScalar>;
  /** Query parameters, e.g. { q: "shoes", page: 2 }. */
  params?: Record<string, GustScalar | GustScalar[]>;
  /** A value sent as JSON (sets Content-Type: application/json). */
  json?: unknown;
  /** A body sent as is. */
  body?: string | GustBytes;
  /** Fields sent as application/x-www-form-urlencoded (or as multipart fields with files). */
  form?: Record<string, GustScalar | GustScalar[]>;
  /** Files sent as multipart/form-data, by form field. */
  files?: Record<string, GustFile | string | GustBytes>;
  /** The stats row name (Locust's name=): group /items/1, /items/2 under /items/[id]. */
  name?: string;
  /** Seconds for the whole request, redirects included (default 60 or --timeout). */
  timeout?: number;
  /** false to not follow redirects, or the most to follow (default 10). */
  redirects?: boolean | number;
  /** true: the script decides with res.success() / res.failure(msg). */
  catchResponse?: boolean;
  /** Tags of the request, selected by thresholds such as 'http_req_duration{page:home}: p(95)<200'; tags.name names the row (k6's). */
  tags?: Record<string, string>;
  /** TLS settings for this request. */
  tls?: GustTLS;
  /** Basic auth: [user, password]. */
  auth?: [string, string];
  /** Compress the request body. */
  compress?: "gzip" | "deflate" | "br" | "zstd";
  /** Read and count the body but do not keep it (res.text is empty). */
  discardBody?: boolean;
  /** Use HTTP/2 for this request. */
  http2?: boolean;
  /** A proxy URL for this request. */
  proxy?: string;
}

/** Request timings in milliseconds. */
interface GustTimings {
  /** The whole request, redirects included. */
  duration: number;
  /** Time to the response's first byte. */
  ttfb: number;
  /** Time spent connecting, when this request opened a connection. */
  connecting?: number;
  /** Time spent in the TLS handshake, when this request made one. */
  tlsHandshaking?: number;
}

/** An HTTP response. */
interface GustResponse {
  /** The status code; 0 for a network error. */
  readonly status: number;
  /** Locust's spelling of status. */
  readonly status_code: number;
  /** true when the status is 1-399. */
  readonly ok: boolean;
  /** The final URL, after redirects. */
  readonly url: string;
  /** Response headers, keys in lower case. */
  readonly headers: Record<string, string>;
  /** The body as a string (decoded from gzip, br, ... when the server compressed it). */
  readonly text: string;
  /** The body as a string (same as text). */
  readonly body: string;
  /** The body as bytes. */
  readonly bytes: ArrayBuffer;
  /** Milliseconds the request took. */
  readonly elapsed: number;
  /** Timings in milliseconds. */
  readonly timings: GustTimings;
  /** A network error's message, with status 0; empty otherwise. */
  readonly error: string;
  /** The protocol used: "HTTP/1.1" or "HTTP/2.0". */
  readonly proto: string;
  /** true when the body was cut at the body size cap. */
  readonly truncated: boolean;
  /** The body parsed as JSON. */
  json<T = any>(): T;
  /** With catchResponse: count this request as a success. */
  success(): void;
  /** With catchResponse: count this request as a failure with this message. */
  failure(message?: string | Error): void;
}

/** Options of a cookie set by the script. */
interface GustCookieOptions {
  domain?: string;
  path?: string;
}

/** The user's cookie jar: automatic, readable and writable. */
interface GustCookies {
  /** A cookie's value, or undefined. */
  get(name: string): string | undefined;
  /** Sets a cookie for later requests. */
  set(name: string, value: string, options?: GustCookieOptions): void;
  /** Removes every cookie. */
  clear(): void;
  /** Every cookie, by name. */
  all(): Record<string, string>;
}

/** One request of client.batch(). */
type GustBatchRequest =
  | string
  | [method: string, url: string, options?: GustRequestOptions]
  | { method?: string; url: string; options?: GustRequestOptions };

/** The user's own HTTP client: its own keep-alive connections and cookies. */
interface GustClient {
  get(url: string, options?: GustRequestOptions): GustResponse;
  post(url: string, options?: GustRequestOptions): GustResponse;
  put(url: string, options?: GustRequestOptions): GustResponse;
  patch(url: string, options?: GustRequestOptions): GustResponse;
  delete(url: string, options?: GustRequestOptions): GustResponse;
  head(url: string, options?: GustRequestOptions): GustResponse;
  options(url: string, options?: GustRequestOptions): GustResponse;
  request(method: string, url: string, options?: GustRequestOptions): GustResponse;
  getAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  postAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  putAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  patchAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  deleteAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  headAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  optionsAsync(url: string, options?: GustRequestOptions): Promise<GustResponse>;
  requestAsync(method: string, url: string, options?: GustRequestOptions): Promise<GustResponse>;
  /** Sends the requests at once over the user's connections; responses in the same order. */
  batch(requests: GustBatchRequest[]): GustResponse[];
  /** The cookie jar. */
  readonly cookies: GustCookies;
}

/** The run's settings, as this.environment. */
interface GustEnvironment {
  host?: string;
  users?: number;
  spawnRate?: number;
  runTime?: number | string;
  options?: Record<string, any>;
  /** setup()'s result. */
  setupData?: any;
  [key: string]: any;
}

/** A task: a function called with the user, a method name, a TaskSet class or a task() entry. */
type GustTaskRef = string | ((this: any, user: any) => unknown) | GustTaskSetClass | GustTaskEntry;

/** An entry of a tasks list built by task(). */
interface GustTaskEntry {
  readonly __gustTask: true;
  readonly weight: number;
  readonly fn: GustTaskRef;
  readonly tags: string[];
}

/** A weight and tags for a task of a tasks map. */
interface GustTaskWeight {
  weight?: number;
  tags?: string[];
}

/** static tasks: a map of method name to weight, or a list of tasks. */
type GustTasks = Record<string, number | GustTaskWeight> | GustTaskRef[];

/** A TaskSet class (the value, not an instance). */
interface GustTaskSetClass {
  new (...args: any[]): any;
  tasks?: GustTasks;
}

/** What shape(ctx) receives. */
interface GustShapeContext {
  /** Seconds since the start (fractional). */
  runTime: number;
  /** Users running. */
  userCount: number;
}

/** What shape(ctx) returns: the users (or rate) to reach, or null to end the test. */
type GustShapeTick = {
  users?: number;
  spawnRate?: number;
  rate?: number;
  userClasses?: string[];
} | null;

/** A stage of options.stages. */
interface GustStage {
  duration: number | string;
  users?: number;
  spawnRate?: number;
  rate?: number;
}

/** export const options: defaults for any flag by its camelCase name. */
interface GustOptions {
  host?: string;
  users?: number;
  spawnRate?: number;
  runTime?: number | string;
  iterations?: number;
  rate?: number;
  stopTimeout?: number | string;
  tags?: string[];
  excludeTags?: string[];
  stages?: GustStage[];
  thresholds?: string[] | Record<string, string[]>;
  [flag: string]: unknown;
}

/** Tags of a custom metric sample. */
type GustTags = Record<string, string>;

/** A sample of a custom client (Locust's events.request.fire). */
interface GustRecord {
  /** The row's type, like "GET" or "gRPC". */
  type: string;
  /** The row's name. */
  name: string;
  /** Milliseconds the operation took. */
  ms: number;
  /** Bytes received. */
  bytes?: number;
  /** An error message, or an Error: the sample is a failure. */
  error?: string | Error | null;
}

/** A WebSocket message event. */
interface GustMessageEvent {
  readonly data: string | ArrayBuffer;
  readonly type: string;
}

/** A WebSocket close event. */
interface GustCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  readonly type: string;
}

/** A WebSocket error event. */
interface GustErrorEvent {
  readonly message: string;
  readonly type: string;
}

/** The global WebSocket class, re-exported by "gust". */
type GustWebSocketClass = typeof WebSocket;

/** A WebSocket message, in k6's and the browser's shape. */
type GustWebSocketData = string | ArrayBuffer | Uint8Array;

declare module "gust" {
  /** One kind of simulated user with its own HTTP client (Locust's HttpUser). */
  export class HttpUser {
    /** Share of the users. */
    static weight?: number;
    /** An exact count of users of this class, filled first. */
    static fixedCount?: number;
    /** The default base URL; -H/--host overrides it. */
    static host?: string;
    /** The pause after each task. */
    static waitTime?: GustWaitTime;
    /** The tasks: method name -> weight, or a list. */
    static tasks?: GustTasks;
    /** TLS settings for every request of this class. */
    static tls?: GustTLS;
    /** Use HTTP/2. */
    static http2?: boolean;
    /** A proxy URL. */
    static proxy?: string;
    /** Basic auth for every request: [user, password]. */
    static auth?: [string, string];
    /** false: a new connection per request. */
    static keepAlive?: boolean;
    /** Host name -> address, to aim a real name at a chosen address. */
    static hosts?: Record<string, string>;
    /** The user's own HTTP client. */
    readonly client: GustClient;
    /** The user's number: 1, 2, ... */
    readonly id: number;
    /** The run's settings and setup()'s result. */
    readonly environment: GustEnvironment;
    /** Runs once when the user starts. */
    onStart?(): unknown;
    /** Runs once when the user stops. */
    onStop?(): unknown;
  }
  /** The same class as HttpUser: every gust user has a client. */
  export const User: typeof HttpUser;
  /** Locust's FastHttpUser: the same class as HttpUser. */
  export const FastHttpUser: typeof HttpUser;

  /** A group of tasks with its own tasks, waitTime, onStart and onStop. */
  export class TaskSet {
    static tasks?: GustTasks;
    static waitTime?: GustWaitTime;
    /** The user running this task set. */
    readonly user: any;
    /** The user or task set that started this one. */
    readonly parent: any;
    /** The user's HTTP client. */
    readonly client: GustClient;
    /** The user's number. */
    readonly id: number;
    /** The run's settings. */
    readonly environment: GustEnvironment;
    /** Returns to the parent (reschedule: wait first; default true). */
    interrupt(reschedule?: boolean): never;
    onStart?(): unknown;
    onStop?(): unknown;
  }
  /** A task set that runs its tasks in order. */
  export class SequentialTaskSet extends TaskSet {}

  /** Stops this user. */
  export class StopUser extends Error {
    constructor(message?: string);
  }
  /** Stops the whole test gracefully. */
  export class StopTest extends Error {
    constructor(message?: string);
  }
  /** Ends the task early; the user waits and goes on. */
  export class RescheduleTask extends Error {
    constructor(message?: string);
  }
  /** Leaves the current task set. */
  export class InterruptTaskSet extends Error {
    constructor(reschedule?: boolean);
  }

  /** A decorator on a method: makes it a task of weight 1 (Locust's @task). */
  export function task<F extends (this: any, ...args: any[]) => any>(
    method: F,
    context: ClassMethodDecoratorContext,
  ): F | void;
  /** @task(weight) on a method. */
  export function task(
    weight: number,
  ): <F extends (this: any, ...args: any[]) => any>(method: F, context: ClassMethodDecoratorContext) => F | void;
  /** A tasks-list entry with a weight and tags. */
  export function task(weight: number, fn: GustTaskRef, options?: { tags?: string[] }): GustTaskEntry;
  /** A tasks-list entry of weight 1. */
  export function task(fn: GustTaskRef, options?: { tags?: string[] }): GustTaskEntry;
  /** A decorator on a method: tags its task (Locust's @tag). */
  export function tag(
    ...tags: string[]
  ): <F extends (this: any, ...args: any[]) => any>(method: F, context: ClassMethodDecoratorContext) => F | void;

  /** A random pause between min and max seconds. */
  export function between(min: number, max: number): GustWaitTime;
  /** A fixed pause in seconds. */
  export function constant(seconds: number): GustWaitTime;
  /** A pause that makes each task start every `seconds`. */
  export function constantPacing(seconds: number): GustWaitTime;
  /** A pause that makes each user run `perSecond` tasks a second. */
  export function constantThroughput(perSecond: number): GustWaitTime;

  /** Pauses this user. */
  export function sleep(seconds: number): void;
  /** Reads a file relative to the script, once, shared by all users. */
  export function open(path: string): string;
  export function open(path: string, mode: "b"): ArrayBuffer;
  /** -e KEY=VAL and the process environment. */
  export const env: Record<string, string | undefined>;
  /** k6's name for env. */
  export const __ENV: Record<string, string | undefined>;
  /** Data loaded once per process and read by every user without a copy. */
  export function SharedArray<T>(name: string, loader: () => T[]): ReadonlyArray<T>;
  /** Reads a CSV file relative to the script: rows as objects keyed by the header. */
  export function csv(path: string): Record<string, string>[];
  export function csv(path: string, options: { header: false; separator?: string }): string[][];
  export function csv(path: string, options: { header?: true; separator?: string }): Record<string, string>[];
  /** The current user's HTTP client. */
  export const client: GustClient;
  /** setup()'s result. */
  export const setupData: any;

  /** k6's check(): runs each named predicate on value; true when all pass. */
  export function check<T>(value: T, checks: Record<string, ((value: T) => unknown) | boolean>): boolean;

  /** A custom metric that sums values. */
  export class Counter {
    constructor(name: string);
    readonly name: string;
    add(value: number, tags?: GustTags): void;
  }
  /** A custom metric of a distribution (percentiles); isTime: values are milliseconds. */
  export class Trend {
    constructor(name: string, isTime?: boolean);
    readonly name: string;
    add(value: number, tags?: GustTags): void;
  }
  /** A custom metric of the share of true (non-zero) values. */
  export class Rate {
    constructor(name: string);
    readonly name: string;
    add(value: boolean | number, tags?: GustTags): void;
  }
  /** A custom metric that keeps the last value, its min and max. */
  export class Gauge {
    constructor(name: string);
    readonly name: string;
    add(value: number, tags?: GustTags): void;
  }

  /** Records a sample from any custom client in the request stats (Locust's events.request.fire). */
  export function record(sample: GustRecord): void;

  /** Event hooks. */
  export const events: {
    request: {
      /** Records a sample, as record(). */
      fire(sample: GustRecord): void;
      /** Called in the user that made the request, with the sample's fields. */
      on(listener: (sample: GustRecord & { url?: string; status?: number }) => void): void;
    };
    testStart: { on(listener: () => void): void };
    testStop: { on(listener: () => void): void };
  };

  /** The browser's WebSocket, on the user's event loop. */
  export const WebSocket: GustWebSocketClass;
}

declare module "gust/crypto" {
  /** An output encoding of a digest. */
  /** hex (the default), base64, base64url (padded), base64rawurl, or binary (a binary string). */
  type Encoding = "hex" | "base64" | "base64url" | "base64rawurl" | "binary";
  type Data = string | ArrayBuffer | Uint8Array;
  export function md5(data: Data, encoding?: Encoding): string;
  export function sha1(data: Data, encoding?: Encoding): string;
  export function sha256(data: Data, encoding?: Encoding): string;
  export function sha384(data: Data, encoding?: Encoding): string;
  export function sha512(data: Data, encoding?: Encoding): string;
  /** An HMAC of data with key, in k6/crypto's shape. */
  export function hmac(
    algorithm: "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512" | "sha512_224" | "sha512_256",
    key: Data,
    data: Data,
    encoding?: Encoding,
  ): string;
}

declare module "gust/encoding" {
  /** "std" (+/ with padding), "url" (-_ ), their "rawstd"/"rawurl" forms without padding. */
  type Alphabet = "std" | "url" | "rawstd" | "rawurl";
  /** Encodes a string (as UTF-8) or bytes in base64. */
  export function b64encode(data: string | ArrayBuffer | Uint8Array, alphabet?: Alphabet): string;
  /** Decodes base64; "s" returns a string, otherwise an ArrayBuffer. */
  export function b64decode(data: string, alphabet: Alphabet, format: "s"): string;
  export function b64decode(data: string, alphabet?: Alphabet): ArrayBuffer;
}

/** The current user's HTTP client. */
declare const client: GustClient;
/** Pauses this user. */
declare function sleep(seconds: number): void;
/** Reads a file relative to the script. */
declare function open(path: string): string;
declare function open(path: string, mode: "b"): ArrayBuffer;
/** -e KEY=VAL and the process environment. */
declare const env: Record<string, string | undefined>;
/** k6's name for env. */
declare const __ENV: Record<string, string | undefined>;
/** setup()'s result. */
declare const setupData: any;

/** The console: lines go to gust's log. */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};

declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function clearInterval(id: number | undefined): void;
/** Base64 of a binary string. */
declare function btoa(data: string): string;
/** The binary string of base64. */
declare function atob(data: string): string;
/** A deep copy of a value. */
declare function structuredClone<T>(value: T): T;

declare class TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array;
  encodeInto(input: string, destination: Uint8Array): { read: number | undefined; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

declare class URLSearchParams {
  constructor(init?: string | Record<string, string> | [string, string][] | URLSearchParams);
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void): void;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}

declare class URL {
  constructor(url: string | URL, base?: string | URL);
  static canParse(url: string | URL, base?: string | URL): boolean;
  hash: string;
  host: string;
  hostname: string;
  href: string;
  readonly origin: string;
  password: string;
  pathname: string;
  port: string;
  protocol: string;
  search: string;
  readonly searchParams: URLSearchParams;
  username: string;
  toString(): string;
  toJSON(): string;
}

declare const crypto: {
  /** A random (version 4) UUID. */
  randomUUID(): string;
  /** Fills the array with random values and returns it. */
  getRandomValues<T extends Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array>(array: T): T;
};

declare const performance: {
  /** Milliseconds on a monotonic clock (since the gust process started), fractional: subtract two readings. */
  now(): number;
};

declare class WebSocket {
  constructor(url: string, protocols?: string | string[] | { protocols?: string | string[]; headers?: Record<string, string>; name?: string });
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly url: string;
  readonly protocol: string;
  readonly readyState: 0 | 1 | 2 | 3;
  binaryType: "arraybuffer";
  onopen: ((this: WebSocket, event: { type: string }) => void) | null;
  onmessage: ((this: WebSocket, event: GustMessageEvent) => void) | null;
  onerror: ((this: WebSocket, event: GustErrorEvent) => void) | null;
  onclose: ((this: WebSocket, event: GustCloseEvent) => void) | null;
  send(data: GustWebSocketData): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "error" | "close", listener: (event: any) => void): void;
  removeEventListener(type: "open" | "message" | "error" | "close", listener: (event: any) => void): void;
}
