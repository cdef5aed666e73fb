// The console's start: sign in with an API key (kept in session storage), load the province
// from /graphql, then keep every panel current from the live feed.
import { Alerts } from "./alerts.js";
import { Api, ApiError, Live, isForbidden } from "./api.js";
import { Feed } from "./feed.js";
import * as i18n from "./i18n.js";
import { Incidents } from "./incidents.js";
import { ProvinceMap } from "./map.js";
import { Province, rawId } from "./state.js";
import { StationCard } from "./station.js";
import { Tiles } from "./tiles.js";
import { Trends } from "./trends.js";

const KEY_STORAGE = "tinhso.ioc.key";
const KEY_INDICATORS = ["index.dti", "radio.communes.working_share", "telecom.villages.fibre_share", "egov.online_services_rate"];

const LIVE_CURSOR = `query Where { liveCursor }`;
const UNITS = `query Units {
  provinces: units(level: PROVINCE, first: 10) { edges { node { code name } } }
  districts: units(level: DISTRICT, first: 100) { edges { node { code name parent { code } } } }
  indicators { code name nameEn unit }
}`;
const COMMUNES = `query Communes($after: String) {
  units(level: COMMUNE, first: 200, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { code name parent { code } radioStation { id status technology
      clusters { id signal lastSeenAt village { code name } } } } }
  }
}`;
const KEY_VALUES = `query KeyValues($codes: [String!]!, $period: Period!) {
  indicatorValues(codes: $codes, period: $period, level: PROVINCE) { value target period indicator { code name nameEn } unit { code } }
}`;
const RELAY_TODAY = `query RelayToday($unit: String, $day: Date!, $after: String) {
  relaySessions(unitCode: $unit, from: $day, to: $day, first: 200, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id startedAt endedAt cancelled station { id } } }
  }
}`;
const FEED = `subscription Feed($after: ID) { events(after: $after) { id type streamId occurredAt recordedAt unitCode data cursor } }`;
const INDICATOR_CHANGED = `subscription KeyIndicators($codes: [String!], $after: ID) {
  indicatorChanged(codes: $codes, after: $after) { value target period cursor indicator { code name nameEn } unit { code } }
}`;

const $ = (id) => document.getElementById(id);

// The province's day (contracts/province.py: Asia/Ho_Chi_Minh, UTC+7 all year), whatever the
// browser's own time zone: "today" on the tiles is the province's.
const PROVINCE_TIME_ZONE = "Asia/Ho_Chi_Minh";
const PROVINCE_OFFSET = "+07:00";

function provinceDay(at = new Date()) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: PROVINCE_TIME_ZONE }).format(at);
}

class Console {
  constructor(key) {
    this.api = new Api(key);
    this.province = new Province();
    this.year = String(new Date().getFullYear());
    this.liveSignals = new Map();
  }

  async start(geo) {
    // Where the feed stands before anything is read: the subscriptions start there, so an
    // event committed while the state loads is applied, and a reconnect resumes from it even
    // before the first event arrives.
    this.from = (await this.api.query(LIVE_CURSOR)).liveCursor;
    await this.loadUnits();
    await this.loadStations();
    const p = this.province;
    this.tiles = new Tiles($("tiles"), p);
    this.card = new StationCard(this.api, p, $("station-detail"), (raw) => this.relayToday(raw));
    this.map = new ProvinceMap($("map"), geo, p, (raw) => this.card.show(raw));
    this.map.draw();
    this.feed = new Feed($("feed"), p, { district: $("feed-district"), kind: $("feed-kind"), pause: $("feed-pause"), held: $("feed-held") });
    const redraw = () => this.tiles.render();
    this.alerts = new Alerts(this.api, p, { form: $("alert-form"), list: $("alerts"), late: $("alert-late") }, redraw);
    this.alerts.form();
    this.incidents = new Incidents(this.api, p, $("incidents"), redraw);
    this.trends = new Trends(this.api, p, { indicator: $("trend-indicator"), unit: $("trend-unit"), canvas: $("trend-chart"), note: $("trend-note") });
    this.trends.fill(this.catalogue);
    p.onChange((what) => {
      if (what.kind === "cluster") this.map?.clusterChanged(what.cluster);
      this.tiles.render();
    });
    this.tiles.render();
    this.live();
    // One panel that cannot load says so in its place; the others still come up.
    const loads = [this.loadKeyValues(), this.loadRelayToday(), this.alerts.load(), this.incidents.load(), this.trends.load(), this.trends.ranking($("ranking"))];
    for (const result of await Promise.allSettled(loads)) {
      if (result.status === "rejected") this.feed.notice(result.reason?.message ?? String(result.reason));
    }
    this.unlisten = i18n.onChange(() => this.relabel());
    this.ticker = setInterval(() => this.tiles.render(), 30_000);
    document.body.dataset.ready = "true";
  }

  async loadUnits() {
    const data = await this.api.query(UNITS);
    const provinces = data.provinces.edges.map((e) => e.node);
    const province = provinces.find((u) => u.code === "06") ?? provinces[0];
    this.province.code = province?.code ?? null;
    this.province.name = province?.name ?? "";
    $("province-name").textContent = this.province.name;
    for (const { node } of data.districts.edges) {
      if (!province || node.parent?.code === province.code) this.province.districts.set(node.code, { code: node.code, name: node.name });
    }
    this.catalogue = data.indicators;
  }

  async loadStations() {
    const p = this.province;
    p.communes.clear();
    p.stations.clear();
    p.clusters.clear();
    let after = null;
    do {
      const page = (await this.api.query(COMMUNES, { after })).units;
      for (const { node } of page.edges) {
        if (!p.districts.has(node.parent?.code)) continue;
        p.communes.set(node.code, { code: node.code, name: node.name, district: node.parent.code });
        const station = node.radioStation;
        if (!station) continue;
        const raw = rawId(station.id);
        p.stations.set(raw, { raw, commune: node.code, status: station.status, technology: station.technology, clusters: station.clusters.map((c) => rawId(c.id)) });
        for (const c of station.clusters) {
          p.clusters.set(rawId(c.id), { raw: rawId(c.id), station: raw, signal: c.signal, lastSeenAt: c.lastSeenAt, village: c.village?.name ?? null });
        }
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
  }

  async loadKeyValues() {
    const codes = KEY_INDICATORS.filter((code) => this.catalogue.some((i) => i.code === code));
    if (!codes.length) return;
    try {
      const values = (await this.api.query(KEY_VALUES, { codes, period: this.year })).indicatorValues;
      for (const value of values) if (value.unit.code === this.province.code) this.province.indicators.set(value.indicator.code, value);
    } catch (error) {
      if (!isForbidden(error)) throw error;
    }
    this.tiles.render();
  }

  relayToday(raw) {
    return this.province.relay.ofStation(raw);
  }

  /** Today's relay sessions of the province, read once; the feed keeps them current. */
  async loadRelayToday() {
    const day = provinceDay();
    let after = null;
    try {
      do {
        const page = (await this.api.query(RELAY_TODAY, { unit: this.province.code, day, after })).relaySessions;
        for (const { node } of page.edges) {
          if (node.cancelled || !node.station) continue;
          this.relaySession(rawId(node.id), rawId(node.station.id), node.startedAt, node.endedAt);
        }
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      this.tiles.unavailable.add("relay");
    }
    this.tiles.render();
  }

  /** A session counts once (the feed may repeat what the query read), for its part today. */
  relaySession(id, station, startedAt, endedAt) {
    const relay = this.province.relay;
    if (relay.sessions.has(id)) return;
    const dayStart = Date.parse(`${provinceDay()}T00:00:00${PROVINCE_OFFSET}`);
    const start = Math.max(Date.parse(startedAt), dayStart);
    const end = Math.min(Date.parse(endedAt), dayStart + 86_400_000);
    if (end <= start) return;
    relay.sessions.set(id, { station, seconds: (end - start) / 1000 });
    this.tiles.render();
  }

  relayCancelled(id) {
    this.province.relay.sessions.delete(id);
    this.tiles.render();
  }

  signal(raw, signal, at) {
    this.liveSignals.set(raw, signal);
    this.province.setSignal(raw, signal, at);
  }

  event(event) {
    const data = event.data ?? {};
    const type = event.type;
    if (type === "broadcast.cluster_signal_lost") this.signal(data.cluster_id, data.cause, data.down_since);
    else if (type === "broadcast.cluster_signal_restored") this.signal(data.cluster_id, "ONLINE", data.restored_at);
    else if (/^broadcast\.(signal_)?incident_/.test(type)) this.incidents.event(event);
    else if (type.startsWith("broadcast.emergency_alert_")) this.alerts.event(event);
    else if (type === "broadcast.relay_session_recorded") this.relaySession(data.session_id, data.station_id, data.started_at, data.ended_at);
    else if (type === "broadcast.relay_session_cancelled") this.relayCancelled(data.session_id);
    else if (/^registry\.(radio_station|speaker_cluster|unit)_/.test(type)) this.assetsChanged();
    this.feed.add(event);
  }

  /** Stations or clusters were registered or changed: the snapshot is read again, once for a
   * burst of such events. */
  assetsChanged() {
    clearTimeout(this.reload);
    this.reload = setTimeout(async () => {
      await this.loadStations();
      // The read models may lag the feed: what the feed said last about a cluster stands.
      for (const [raw, signal] of this.liveSignals) {
        const cluster = this.province.clusters.get(raw);
        if (cluster) cluster.signal = signal;
      }
      this.map?.draw();
      this.tiles.render();
    }, 500);
  }

  live() {
    const status = $("connection");
    this.socket = new Live(this.api.key, (state) => {
      status.dataset.state = state;
      status.textContent = i18n.t(`connection.${state === "refused" ? "offline" : state}`);
      if (state === "refused") signOut(i18n.t("signin.refused"));
    });
    const gap = (errors) => this.feed.gap(errors?.[0]?.extensions?.details?.reason ?? errors?.[0]?.message ?? "");
    this.socket.subscribe(FEED, {}, (data) => this.event(data.events), (data) => data.events.cursor, gap, this.from);
    const codes = KEY_INDICATORS;
    this.socket.subscribe(
      INDICATOR_CHANGED,
      { codes },
      (data) => {
        const value = data.indicatorChanged;
        if (value.unit.code !== this.province.code || value.period !== this.year) return;
        this.province.indicators.set(value.indicator.code, value);
        this.tiles.render();
      },
      (data) => data.indicatorChanged.cursor,
      () => {},
      this.from,
    );
    this.socket.connect();
  }

  relabel() {
    this.tiles.render();
    this.feed.render();
    this.alerts.form();
    this.alerts.render();
    this.incidents.render();
    this.trends.fill(this.catalogue);
    this.trends.load();
    this.trends.ranking($("ranking"));
    this.map?.draw();
  }

  /** Signed out: nothing of this console runs on, or draws over the next one's panels. */
  stop() {
    this.socket?.close();
    clearInterval(this.ticker);
    clearTimeout(this.reload);
    this.unlisten?.();
    this.alerts?.stop();
    this.incidents?.stop();
    this.map?.remove();
    this.map = null;
  }
}

let running = null;

function signOut(message = "") {
  sessionStorage.removeItem(KEY_STORAGE);
  running?.stop();
  running = null;
  $("console").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message;
}

async function signIn(key, geo) {
  const console_ = new Console(key);
  try {
    await console_.start(geo);
  } catch (error) {
    console_.stop();
    const refused = error instanceof ApiError && (error.code === "UNAUTHENTICATED" || isForbidden(error));
    signOut(refused ? i18n.t("signin.refused") : error.code === "UNREACHABLE" ? i18n.t("signin.unreachable") : error.message);
    return;
  }
  running = console_;
}

async function main() {
  i18n.translate();
  const geo = await (await fetch("/ioc/province.json")).json();
  const clock = () => ($("clock").textContent = new Date().toLocaleTimeString(i18n.locale()));
  clock();
  setInterval(clock, 1000);
  $("language").onclick = () => i18n.toggle();
  $("sign-out").onclick = () => signOut();
  $("sign-in-form").onsubmit = (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    $("api-key").value = "";
    sessionStorage.setItem(KEY_STORAGE, key);
    show(key, geo);
  };
  // Disabled in the page until now: a form submitted before this handler would send the key
  // in the URL of a plain GET (into browser history and access logs).
  $("sign-in-form").querySelector("button[type=submit]").disabled = false;
  const saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) show(saved, geo);
}

function show(key, geo) {
  $("sign-in").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  signIn(key, geo);
}

main();
