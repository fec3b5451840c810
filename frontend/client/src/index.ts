/**
 * Kiln's browser client: call queries and mutations, subscribe to live queries (one SSE stream per
 * client, however many subscriptions), and follow a job's progress, resuming after reconnects.
 *
 * Types: pass a map of your functions (`kiln-client-types` writes one from /_api/openapi.json) as
 * the type parameter and `rpc` / `subscribe` check names, arguments and results.
 */

/** `{ "items.count": { args: {...}; result: number } }` — what `kiln-client-types` generates. */
export type FunctionMap = Record<string, { args: unknown; result: unknown }>;
type AnyFunctions = Record<string, { args: any; result: any }>;

/** An RFC 9457 problem document, as every Kiln error is sent. */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  request_id?: string;
  errors?: { path: string; message: string }[];
}

export class KilnError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.name = "KilnError";
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

export interface KilnOptions {
  /** Where Kiln answers; default: this page's origin. */
  baseUrl?: string;
  /** The bearer token, asked for on every call and every (re)connect, so it can be refreshed. */
  token?: () => string | undefined | null | Promise<string | undefined | null>;
  /** First reconnect delay in ms (doubles up to maxBackoffMs, with jitter). Default 250. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

export interface Subscription {
  /** Stops the updates and tells the server. */
  unsubscribe(): void;
}

/** One event of a job stream: `state`, `progress` or `log`, with its per-job sequence. */
export interface JobEvent {
  seq: number;
  type: "state" | "progress" | "log";
  data: {
    state?: string;
    attempt?: number;
    error?: unknown;
    percent?: number | null;
    message?: string | null;
    line?: string;
    at: string;
  };
}

export interface JobStreamHandlers {
  onEvent: (event: JobEvent) => void;
  /** The job finished ("completed", "discarded", "cancelled") or was pruned; the stream is closed. */
  onEnd?: (reason: string) => void;
  onError?: (error: unknown) => void;
  /** Resume after this sequence (e.g. one saved across page loads). Default 0: full history. */
  after?: number;
}

interface LocalSub {
  name: string;
  args: unknown;
  onData: (result: any) => void;
  onError?: (error: KilnError) => void;
  serverId?: string;
  lastJson?: string;
  closed: boolean;
}

export class Kiln<F extends FunctionMap = AnyFunctions> {
  private readonly base: string;
  private readonly options: KilnOptions;
  private readonly subs = new Set<LocalSub>();
  private readonly byServerId = new Map<string, LocalSub>();
  /** Updates that arrived before the POST that created their subscription returned. */
  private readonly early = new Map<string, { event: string; data: any }>();
  private source?: EventSource;
  private session?: string;
  private failures = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;

  constructor(options: KilnOptions = {}) {
    this.options = options;
    this.base = (options.baseUrl ?? globalThis.location?.origin ?? "").replace(/\/$/, "");
  }

  /** Calls a query or mutation; rejects with a {@link KilnError} carrying the problem. */
  async rpc<N extends keyof F & string>(name: N, args: F[N]["args"]): Promise<F[N]["result"]> {
    return this.post(`/_api/rpc/${encodeURIComponent(name)}`, args ?? {});
  }

  /**
   * Calls `onData` with the query's result now and again whenever it changes, until
   * `unsubscribe()`. Survives dropped connections, node restarts and token refreshes: it
   * reconnects with backoff and subscribes again, calling `onData` only when the result differs.
   */
  subscribe<N extends keyof F & string>(name: N, args: F[N]["args"],
      onData: (result: F[N]["result"]) => void,
      onError?: (error: KilnError) => void): Subscription {
    const sub: LocalSub = { name, args: args ?? {}, onData, onError, closed: false };
    this.subs.add(sub);
    if (this.session) {
      void this.register(sub);
    } else {
      this.connect();
    }
    return {
      unsubscribe: () => {
        if (sub.closed) return;
        sub.closed = true;
        this.subs.delete(sub);
        if (sub.serverId) {
          this.byServerId.delete(sub.serverId);
          void this.request("DELETE", `/_api/subscriptions/${sub.serverId}`).catch(() => {});
        }
        if (this.subs.size === 0) this.disconnect();
      },
    };
  }

  /** Streams a job's events; reconnects with `Last-Event-ID` so none is missed or repeated. */
  jobEvents(jobId: string, handlers: JobStreamHandlers): () => void {
    let last = handlers.after ?? 0;
    let failures = 0;
    let stopped = false;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = async () => {
      if (stopped) return;
      const params = new URLSearchParams({ last_event_id: String(last) });
      const token = await this.token();
      if (token) params.set("access_token", token);
      const ES = this.options.EventSource ?? EventSource;
      source = new ES(`${this.base}/_api/jobs/${encodeURIComponent(jobId)}/events?${params}`);
      for (const type of ["state", "progress", "log"] as const) {
        source.addEventListener(type, (e) => {
          const m = e as MessageEvent;
          const seq = Number(m.lastEventId);
          if (seq <= last) return; // already delivered before a reconnect
          last = seq;
          failures = 0;
          handlers.onEvent({ seq, type, data: JSON.parse(m.data) });
        });
      }
      source.addEventListener("end", (e) => {
        stopped = true;
        source?.close();
        handlers.onEnd?.(JSON.parse((e as MessageEvent).data).reason);
      });
      source.onerror = (e) => {
        source?.close();
        if (stopped) return;
        handlers.onError?.(e);
        timer = setTimeout(open, this.backoff(++failures));
      };
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }

  /** Closes the stream and forgets every subscription. */
  close(): void {
    for (const s of this.subs) s.closed = true;
    this.subs.clear();
    this.disconnect();
  }

  private async connect(): Promise<void> {
    if (this.source || this.reconnectTimer) return;
    const token = await this.token();
    if (this.source || this.subs.size === 0) return;
    const ES = this.options.EventSource ?? EventSource;
    const url = `${this.base}/_api/events${token ? `?access_token=${encodeURIComponent(token)}` : ""}`;
    const source = new ES(url);
    this.source = source;
    source.addEventListener("session", (e) => {
      this.session = JSON.parse((e as MessageEvent).data).session;
      this.failures = 0;
      this.byServerId.clear();
      this.early.clear();
      for (const sub of this.subs) void this.register(sub);
    });
    const onResult = (event: string) => (e: Event) => {
      const data = JSON.parse((e as MessageEvent).data);
      const sub = this.byServerId.get(data.subscription);
      if (sub) this.deliver(sub, event, data);
      else this.early.set(data.subscription, { event, data });
    };
    source.addEventListener("update", onResult("update"));
    source.addEventListener("problem", onResult("problem"));
    source.addEventListener("end", () => this.reconnect()); // token expired, node draining
    // The browser would reconnect by itself, but to a new session without our subscriptions
    // and with the old token: take over.
    source.onerror = () => this.reconnect();
  }

  private reconnect(): void {
    this.disconnect();
    if (this.subs.size === 0) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.backoff(++this.failures));
  }

  private disconnect(): void {
    this.source?.close();
    this.source = undefined;
    this.session = undefined;
    if (this.subs.size === 0 && this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
  }

  private async register(sub: LocalSub): Promise<void> {
    const session = this.session;
    try {
      const reply = await this.post("/_api/subscriptions", { session, query: sub.name, args: sub.args });
      if (sub.closed || session !== this.session) {
        if (session === this.session) {
          void this.request("DELETE", `/_api/subscriptions/${reply.subscription}`).catch(() => {});
        }
        return;
      }
      sub.serverId = reply.subscription;
      this.byServerId.set(reply.subscription, sub);
      const early = this.early.get(reply.subscription);
      this.early.delete(reply.subscription);
      // An update that overtook the reply is newer than the reply's result.
      if (early) this.deliver(sub, early.event, early.data);
      else this.deliver(sub, "update", reply);
    } catch (e) {
      if (e instanceof KilnError && e.code === "unknown_session") return; // a reconnect follows
      if (e instanceof KilnError) sub.onError?.(e);
      else this.reconnect();
    }
  }

  private deliver(sub: LocalSub, event: string, data: any): void {
    if (sub.closed) return;
    if (event === "problem") {
      sub.lastJson = undefined;
      sub.onError?.(new KilnError(data.problem));
      return;
    }
    const json = JSON.stringify(data.result);
    if (json === sub.lastJson) return; // same result after a resubscribe: nothing changed
    sub.lastJson = json;
    sub.onData(data.result);
  }

  private backoff(failures: number): number {
    const initial = this.options.initialBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 10_000;
    const base = Math.min(max, initial * 2 ** Math.min(16, failures - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private async token(): Promise<string | undefined> {
    return (await this.options.token?.()) ?? undefined;
  }

  private post(path: string, body: unknown): Promise<any> {
    return this.request("POST", path, body);
  }

  private async request(method: string, path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = {};
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const doFetch = this.options.fetch ?? fetch;
    const response = await doFetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined;
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      throw new KilnError(json ?? { status: response.status, code: `http_${response.status}` });
    }
    return json;
  }
}
