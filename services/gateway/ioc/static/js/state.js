// What the console knows of the province: units, stations and clusters with their signal,
// open incidents and alerts. Filled from queries at sign-in, then kept current by live events;
// panels listen for changes and redraw from it.

const DOWN = new Set(["NO_SIGNAL", "OFFLINE", "SILENT"]);

export function rawId(id) {
  const colon = id.indexOf(":");
  return colon < 0 ? id : id.slice(colon + 1);
}

export function isDown(signal) {
  return DOWN.has(signal);
}

/** Today's relay sessions by id, each with its station and the seconds of it today. */
export class Relay {
  constructor() {
    this.sessions = new Map();
  }

  get seconds() {
    let total = 0;
    for (const session of this.sessions.values()) total += session.seconds;
    return total;
  }

  ofStation(raw) {
    let total = 0;
    for (const session of this.sessions.values()) if (session.station === raw) total += session.seconds;
    return total;
  }
}

export class Province {
  constructor() {
    this.code = null;
    this.name = "";
    this.districts = new Map();
    this.communes = new Map();
    this.stations = new Map();
    this.clusters = new Map();
    this.incidents = new Map();
    this.alerts = new Map();
    this.relay = new Relay();
    this.indicators = new Map();
    this.listeners = [];
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  changed(what) {
    for (const listener of this.listeners) listener(what);
  }

  /** The district a unit code lies in (a district, commune or village code), or null. */
  districtOf(code) {
    if (!code) return null;
    if (this.districts.has(code)) return code;
    const commune = this.communes.get(code) ?? this.communes.get(code.split("-")[0]);
    return commune ? commune.district : null;
  }

  /** "ok", "partial", "down" or "unknown": how the station's clusters are. */
  stationState(station) {
    if (station.status === "DOWN") return "down";
    const signals = station.clusters.map((raw) => this.clusters.get(raw)?.signal ?? "UNKNOWN");
    if (!signals.length) return station.status === "OPERATIONAL" ? "ok" : "unknown";
    const down = signals.filter(isDown).length;
    if (down === signals.length) return "down";
    if (down > 0) return "partial";
    if (signals.every((s) => s === "ONLINE")) return "ok";
    return "unknown";
  }

  /** A station works when it is operational and some of its clusters still have signal. */
  working(station) {
    return station.status === "OPERATIONAL" && this.stationState(station) !== "down";
  }

  setSignal(clusterRaw, signal, at) {
    const cluster = this.clusters.get(clusterRaw);
    if (!cluster) return false;
    cluster.signal = signal;
    if (at) cluster.lastSeenAt = at;
    this.changed({ kind: "cluster", cluster });
    return true;
  }

  openIncidentOf(stationRaw) {
    for (const incident of this.incidents.values()) {
      if (incident.stationId === stationRaw) return incident;
    }
    return null;
  }
}
