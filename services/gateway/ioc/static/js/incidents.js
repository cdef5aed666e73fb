// The incidents panel: the open signal incidents of the province, oldest first, with their
// age ticking; read-only until incidents can be acknowledged and assigned.
import { isForbidden } from "./api.js";
import { age, t } from "./i18n.js";
import { rawId } from "./state.js";

const OPEN = `query Open($unit: String!, $after: String) {
  signalIncidents(unitCode: $unit, open: true, first: 200, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id unitCode cause downSince cluster { id village { name } } station { id } } }
  }
}`;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class Incidents {
  constructor(api, province, body, onChange) {
    this.api = api;
    this.province = province;
    this.body = body;
    this.onChange = onChange;
    this.forbidden = false;
    setInterval(() => this.render(), 30_000);
  }

  async load() {
    this.province.incidents.clear();
    try {
      let after = null;
      do {
        const page = (await this.api.query(OPEN, { unit: this.province.code, after })).signalIncidents;
        for (const { node } of page.edges) {
          this.province.incidents.set(rawId(node.id), {
            id: rawId(node.id),
            unitCode: node.unitCode,
            cause: node.cause,
            downSince: node.downSince,
            clusterId: node.cluster ? rawId(node.cluster.id) : null,
            village: node.cluster?.village?.name ?? null,
            stationId: node.station ? rawId(node.station.id) : null,
          });
        }
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      this.forbidden = true;
    }
    this.render();
  }

  /** ``broadcast.signal_incident_opened`` / ``_closed``. */
  event(event) {
    const data = event.data;
    if (event.type.endsWith("_opened")) {
      const cluster = this.province.clusters.get(data.cluster_id);
      this.province.incidents.set(data.incident_id, {
        id: data.incident_id,
        unitCode: data.unit_code,
        cause: data.cause,
        downSince: data.down_since,
        clusterId: data.cluster_id,
        village: cluster?.village ?? null,
        stationId: data.station_id,
      });
    } else {
      this.province.incidents.delete(data.incident_id);
    }
    this.render();
  }

  render() {
    this.onChange();
    if (this.forbidden) {
      this.body.innerHTML = `<tr><td colspan="4">${t("forbidden")}</td></tr>`;
      return;
    }
    const open = [...this.province.incidents.values()].sort((a, b) => Date.parse(a.downSince) - Date.parse(b.downSince));
    if (!open.length) {
      this.body.innerHTML = `<tr><td colspan="4" class="muted">${t("incidents.none")}</td></tr>`;
      return;
    }
    this.body.innerHTML = open
      .map((i) => {
        const commune = this.province.communes.get(i.unitCode)?.name ?? i.unitCode;
        return `<tr data-incident="${escape(i.id)}"><td>${escape(commune)}</td><td>${escape(i.village ?? i.clusterId ?? "")}</td>
          <td>${escape(t(`signal.${i.cause}`))}</td><td>${escape(age(Date.parse(i.downSince)))}</td></tr>`;
      })
      .join("");
  }
}
