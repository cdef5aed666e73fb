// The tiles along the top: each a figure the operator watches, redrawn from the province's
// state whenever it changes. A tile whose source this key may not read says so.
import { age, current, number, t } from "./i18n.js";
import { isDown } from "./state.js";

function tile(id, label, value, sub, level) {
  return `<div class="tile" data-tile="${id}" data-level="${level}">
    <div class="label">${label}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

export class Tiles {
  constructor(element, province) {
    this.element = element;
    this.province = province;
    this.unavailable = new Set();
  }

  stations() {
    const stations = [...this.province.stations.values()];
    const working = stations.filter((s) => this.province.working(s)).length;
    const share = stations.length ? (100 * working) / stations.length : 0;
    const level = !stations.length ? "none" : working === stations.length ? "ok" : share >= 90 ? "warn" : "alarm";
    return tile("stations", t("tile.stations"), `${number(working)} / ${number(stations.length)}`, `${number(share, 1)}%`, level);
  }

  clusters() {
    const clusters = [...this.province.clusters.values()];
    const down = clusters.filter((c) => isDown(c.signal)).length;
    return tile("clusters-down", t("tile.clustersDown"), number(down), t("tile.clustersOf", { total: number(clusters.length) }), down ? "alarm" : "ok");
  }

  incidents() {
    if (this.unavailable.has("incidents")) return tile("incidents", t("tile.incidents"), "—", t("forbidden"), "none");
    const open = [...this.province.incidents.values()];
    const oldest = open.reduce((min, i) => Math.min(min, Date.parse(i.downSince)), Infinity);
    const sub = open.length ? t("tile.oldest", { age: age(oldest) }) : t("tile.none");
    return tile("incidents", t("tile.incidents"), number(open.length), sub, open.length ? "alarm" : "ok");
  }

  alerts() {
    if (this.unavailable.has("alerts")) return tile("alerts", t("tile.alerts"), "—", t("forbidden"), "none");
    const awaiting = [...this.province.alerts.values()].filter((a) => a.active && a.pending().length);
    const stations = awaiting.reduce((sum, a) => sum + a.pending().length, 0);
    return tile("alerts", t("tile.alerts"), number(awaiting.length), t("tile.alertsSub", { stations: number(stations) }), awaiting.length ? "warn" : "ok");
  }

  relay() {
    if (this.unavailable.has("relay")) return tile("relay", t("tile.relay"), "—", t("forbidden"), "none");
    const relay = this.province.relay;
    return tile("relay", t("tile.relay"), number(relay.seconds / 3600, 1), t("tile.relaySub", { sessions: number(relay.sessions.size) }), "ok");
  }

  indicator(value) {
    const name = current() === "en" && value.indicator.nameEn ? value.indicator.nameEn : value.indicator.name;
    const shown = value.value === null ? "—" : number(value.value, 1);
    if (value.target === null || value.target === undefined) return tile(`indicator-${value.indicator.code}`, name, shown, t("tile.noTarget"), "none");
    const met = value.value !== null && value.value >= value.target;
    return tile(`indicator-${value.indicator.code}`, name, shown, t("tile.target", { target: number(value.target, 1) }), met ? "ok" : "warn");
  }

  render() {
    const indicators = [...this.province.indicators.values()].map((v) => this.indicator(v));
    this.element.innerHTML = [this.stations(), this.clusters(), this.incidents(), this.alerts(), this.relay(), ...indicators].join("");
  }
}
