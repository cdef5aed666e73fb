// The station card a click on the map opens: the station, its clusters with their signal,
// its relay airtime today and its open incident.
import { isForbidden } from "./api.js";
import { age, number, t } from "./i18n.js";

const STATION = `query Station($id: ID!, $month: Period!) {
  node(id: $id) { ... on RadioStation { id status technology unit { code name }
    clusters { id signal lastSeenAt village { name } } airtime(period: $month) { source seconds } } }
}`;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class StationCard {
  constructor(api, province, element, relayToday) {
    this.api = api;
    this.province = province;
    this.element = element;
    this.relayToday = relayToday;
    this.shown = null;
  }

  async show(raw) {
    this.shown = raw;
    const month = new Date().toISOString().slice(0, 7);
    let node;
    try {
      node = (await this.api.query(STATION, { id: `RadioStation:${raw}`, month })).node;
    } catch (error) {
      this.element.hidden = false;
      this.element.textContent = isForbidden(error) ? t("forbidden") : error.message;
      return;
    }
    if (!node || this.shown !== raw) return;
    const incident = this.province.openIncidentOf(raw);
    const clusters = node.clusters.length
      ? node.clusters
          .map((c) => {
            const signal = this.province.clusters.get(c.id.split(":").pop())?.signal ?? c.signal;
            return `<li data-state="${signal}">${escape(c.village?.name ?? c.id)}: ${escape(t(`signal.${signal}`))}</li>`;
          })
          .join("")
      : `<li class="muted">${t("station.noClusters")}</li>`;
    const relay = await this.relayToday(raw);
    this.element.innerHTML = `<button type="button" class="close" aria-label="${t("station.close")}">×</button>
      <h3>${escape(t("station.title", { name: node.unit.name }))}</h3>
      <div>${t("station.status")}: ${escape(t(`status.${node.status}`))} · ${t("station.technology")}: ${escape(node.technology)}</div>
      <div>${t("station.relayToday")}: ${relay === null ? "—" : `${number(relay / 3600, 1)} h`}</div>
      <div>${incident ? `${t("station.incident")}: ${escape(t(`signal.${incident.cause}`))}, ${escape(age(Date.parse(incident.downSince)))}` : t("station.noIncident")}</div>
      <h4>${t("station.clusters")}</h4><ul>${clusters}</ul>`;
    this.element.querySelector(".close").onclick = () => this.hide();
    this.element.hidden = false;
  }

  hide() {
    this.shown = null;
    this.element.hidden = true;
  }
}
