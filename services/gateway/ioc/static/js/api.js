// The gateway as the console sees it: GraphQL queries over HTTP and subscriptions over one
// graphql-transport-ws socket that reconnects by itself and resumes every subscription from
// the last cursor it delivered (docs/adr/0032), so a gateway restart loses no event.

export class ApiError extends Error {
  constructor(code, message, data = null) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/** Codes that mean "this key may not read it": the panel says so instead of failing. */
export function isForbidden(error) {
  return error instanceof ApiError && ["FORBIDDEN", "OUTSIDE_OWN_UNIT", "UNAUTHORIZED", "UNAUTHENTICATED"].includes(error.code);
}

export class Api {
  constructor(key) {
    this.key = key;
  }

  async query(document, variables = {}) {
    let response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query: document, variables }),
      });
    } catch (error) {
      throw new ApiError("UNREACHABLE", String(error));
    }
    if (response.status === 401) throw new ApiError("UNAUTHENTICATED", "the API key was refused");
    if (response.status === 403) throw new ApiError("FORBIDDEN", "the API key may not do this");
    const body = await response.json().catch(() => ({}));
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      throw new ApiError(first.extensions?.code ?? `HTTP_${response.status}`, first.message, body.data ?? null);
    }
    if (!response.ok || !body.data) throw new ApiError(`HTTP_${response.status}`, response.statusText);
    return body.data;
  }
}

const CLOSE_UNAUTHORIZED = new Set([4401, 4403]);
const RETRY_MS = [250, 500, 1000, 2000, 4000];

export class Live {
  /** ``onStatus(state)``: "connecting", "live", "reconnecting", "refused". */
  constructor(key, onStatus) {
    this.key = key;
    this.onStatus = onStatus;
    this.subscriptions = new Map();
    this.socket = null;
    this.attempt = 0;
    this.closed = false;
    this.nextId = 1;
  }

  /**
   * A subscription that survives reconnects: ``cursorOf(data)`` reads where the feed stands
   * from a delivered payload; it is sent as ``after`` when the socket opens again.
   * ``onError(errors)`` hears a refused resume (the cursor is dropped and it starts afresh).
   * ``from``: a cursor to start at (the gateway's ``liveCursor`` taken before the state was
   * loaded, so nothing committed in between is missed).
   */
  subscribe(document, variables, onData, cursorOf, onError = () => {}, from = null) {
    const id = String(this.nextId++);
    const entry = { id, document, variables, onData, cursorOf, onError, cursor: from };
    this.subscriptions.set(id, entry);
    if (this.ready) this.#start(entry);
    return id;
  }

  connect() {
    this.closed = false;
    this.ready = false;
    this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    const socket = new WebSocket(url, "graphql-transport-ws");
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${this.key}` } }));
    };
    socket.onmessage = (message) => this.#receive(socket, JSON.parse(message.data));
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.ready = false;
      if (this.closed) return;
      if (CLOSE_UNAUTHORIZED.has(event.code)) {
        this.onStatus("refused");
        return;
      }
      this.onStatus("reconnecting");
      const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    };
  }

  close() {
    this.closed = true;
    this.socket?.close(1000);
  }

  #start(entry) {
    const variables = { ...entry.variables, after: entry.cursor };
    this.socket.send(JSON.stringify({ id: entry.id, type: "subscribe", payload: { query: entry.document, variables } }));
  }

  #receive(socket, message) {
    switch (message.type) {
      case "connection_ack":
        this.ready = true;
        this.attempt = 0;
        this.onStatus("live");
        for (const entry of this.subscriptions.values()) this.#start(entry);
        break;
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        break;
      case "next": {
        const entry = this.subscriptions.get(message.id);
        if (!entry) break;
        if (message.payload.errors?.length && !message.payload.data) {
          this.#refused(entry, message.payload.errors);
          break;
        }
        const cursor = entry.cursorOf(message.payload.data);
        if (cursor) entry.cursor = cursor;
        entry.onData(message.payload.data);
        break;
      }
      case "error": {
        const entry = this.subscriptions.get(message.id);
        if (entry) this.#refused(entry, message.payload);
        break;
      }
      default:
        break;
    }
  }

  #refused(entry, errors) {
    // A cursor the gateway can no longer resume (retention, a reset broker) is said once, then
    // the subscription starts again from now: never a silent gap.
    entry.onError(errors);
    if (entry.cursor !== null) {
      entry.cursor = null;
      if (this.ready) this.#start(entry);
    }
  }
}
