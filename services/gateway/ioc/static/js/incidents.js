// The incidents panel: the open signal incidents of the province, oldest first, with their age
// ticking and where their handling stands (acknowledged, assigned, escalated for want of an
// acknowledgement). A key that may handle an incident gets its acknowledge and assign buttons;
// the gateway says which (``mayHandle``, ``mayAssign``), the broadcast service decides again.
import { isForbidden } from "./api.js";
import { age, t, time } from "./i18n.js";
import { rawId } from "./state.js";

const FIELDS = `id unitCode cause downSince acknowledgedAt assigneeKind assigneeCode acknowledgementOverdueAt
  mayHandle mayAssign cluster { id village { name } } station { id }`;
const OPEN = `query Open($unit: String!, $after: String) {
  signalIncidents(unitCode: $unit, open: true, first: 200, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ${FIELDS} } }
  }
}`;
const ACKNOWLEDGE = `mutation Acknowledge($input: AcknowledgeIncidentInput!) { acknowledgeIncident(input: $input) { ${FIELDS} } }`;
const ASSIGN = `mutation Assign($input: AssignIncidentInput!) { assignIncident(input: $input) { ${FIELDS} } }`;
const OPERATORS = ["VNPT", "VIETTEL"];

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function incidentOf(node) {
  return {
    id: rawId(node.id),
    unitCode: node.unitCode,
    cause: node.cause,
    downSince: node.downSince,
    clusterId: node.cluster ? rawId(node.cluster.id) : null,
    village: node.cluster?.village?.name ?? null,
    stationId: node.station ? rawId(node.station.id) : null,
    acknowledgedAt: node.acknowledgedAt,
    assignee: node.assigneeKind ? `${node.assigneeKind.toLowerCase()}:${node.assigneeCode}` : null,
    overdue: Boolean(node.acknowledgementOverdueAt),
    mayHandle: Boolean(node.mayHandle),
    mayAssign: Boolean(node.mayAssign),
  };
}

export class Incidents {
  constructor(api, province, body, onChange) {
    this.api = api;
    this.province = province;
    this.body = body;
    this.onChange = onChange;
    this.forbidden = false;
    this.notice = "";
    this.ticker = setInterval(() => this.render(), 30_000);
    body.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button) this.act(button.dataset.action, button.closest("tr").dataset.incident);
    });
  }

  async load() {
    const found = new Map();
    try {
      let after = null;
      do {
        const page = (await this.api.query(OPEN, { unit: this.province.code, after })).signalIncidents;
        for (const { node } of page.edges) found.set(rawId(node.id), incidentOf(node));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      this.forbidden = true;
    }
    // One the feed opened that the read model does not show yet stays, and is read again shortly.
    const unread = [...this.province.incidents.values()].filter((i) => i.unread && !found.has(i.id));
    this.province.incidents.clear();
    for (const [id, incident] of found) this.province.incidents.set(id, incident);
    for (const incident of unread) this.province.incidents.set(incident.id, incident);
    if (unread.length) this.reload(1_000);
    this.render();
  }

  /** ``broadcast.signal_incident_opened`` / ``_closed``, and the handling's ``broadcast.incident_*``. */
  /** Signed out: its timers end with it. */
  stop() {
    clearInterval(this.ticker);
    clearTimeout(this.pending);
  }

  event(event) {
    const data = event.data;
    if (event.type === "broadcast.signal_incident_opened") {
      const cluster = this.province.clusters.get(data.cluster_id);
      this.province.incidents.set(data.incident_id, {
        id: data.incident_id,
        unitCode: data.unit_code,
        cause: data.cause,
        downSince: data.down_since,
        clusterId: data.cluster_id,
        village: cluster?.village ?? null,
        stationId: data.station_id,
        acknowledgedAt: null,
        assignee: null,
        overdue: false,
        mayHandle: false,
        mayAssign: false,
        unread: true,
      });
      this.reload(); // what this key may do with it is the gateway's answer
    } else if (event.type === "broadcast.signal_incident_closed" || event.type === "broadcast.incident_resolved") {
      this.province.incidents.delete(data.incident_id);
    } else {
      const incident = this.province.incidents.get(data.incident_id);
      if (incident && event.type === "broadcast.incident_acknowledged") incident.acknowledgedAt = data.acknowledged_at;
      if (incident && event.type === "broadcast.incident_escalated") incident.overdue = true;
      if (incident && event.type === "broadcast.incident_assigned") {
        incident.assignee = `${data.assignee_kind}:${data.assignee_code}`;
        this.reload(); // an assignment changes who may handle it
      }
    }
    this.render();
  }

  /** Read the panel again, once for a burst of events. */
  reload(delay = 300) {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.load().catch((error) => this.say(error.message)), delay);
  }

  say(text) {
    this.notice = text;
    this.render();
  }

  async act(action, id) {
    const row = this.body.querySelector(`tr[data-incident="${CSS.escape(id)}"]`);
    const input = { incidentId: `SignalIncident:${id}`, idempotencyKey: crypto.randomUUID() };
    try {
      let node;
      if (action === "acknowledge") {
        node = (await this.api.query(ACKNOWLEDGE, { input })).acknowledgeIncident;
      } else {
        const [kind, code] = row.querySelector("select[name=assignee]").value.split(":");
        node = (await this.api.query(ASSIGN, { input: { ...input, assigneeKind: kind.toUpperCase(), assigneeCode: code } })).assignIncident;
      }
      this.province.incidents.set(id, incidentOf(node));
      this.notice = "";
    } catch (error) {
      this.notice = isForbidden(error) ? t("forbidden") : error.message;
    }
    this.render();
  }

  assigneeName(assignee) {
    const [kind, code] = assignee.split(":");
    if (kind === "operator") return code;
    return this.province.communes.get(code)?.name ?? this.province.districts.get(code)?.name ?? code;
  }

  handling(i) {
    const parts = []; // each already escaped
    if (i.acknowledgedAt) parts.push(escape(t("incidents.acknowledged", { time: time(Date.parse(i.acknowledgedAt)) })));
    else parts.push(`<span class="waiting">${escape(t(i.overdue ? "incidents.overdue" : "incidents.waiting"))}</span>`);
    if (i.assignee) parts.push(escape(t("incidents.assignedTo", { who: this.assigneeName(i.assignee) })));
    const buttons = [];
    if (i.mayHandle && !i.acknowledgedAt) buttons.push(`<button type="button" data-action="acknowledge">${escape(t("incidents.acknowledge"))}</button>`);
    if (i.mayAssign) {
      const district = this.province.districtOf(i.unitCode);
      const choices = [`unit:${i.unitCode}`, ...(district ? [`unit:${district}`] : []), ...OPERATORS.map((o) => `operator:${o}`)];
      const options = choices.map((c) => `<option value="${escape(c)}"${c === i.assignee ? " selected" : ""}>${escape(this.assigneeName(c))}</option>`);
      buttons.push(`<select name="assignee" aria-label="${escape(t("incidents.assignee"))}">${options.join("")}</select>`);
      buttons.push(`<button type="button" data-action="assign">${escape(t("incidents.assign"))}</button>`);
    }
    const actions = buttons.length ? `<div class="actions">${buttons.join("")}</div>` : "";
    return `${parts.join(" · ")}${actions}`;
  }

  render() {
    this.onChange();
    if (this.forbidden) {
      this.body.innerHTML = `<tr><td colspan="5">${t("forbidden")}</td></tr>`;
      return;
    }
    const open = [...this.province.incidents.values()].sort((a, b) => Date.parse(a.downSince) - Date.parse(b.downSince));
    const notice = this.notice ? `<tr><td colspan="5" class="error" role="alert">${escape(this.notice)}</td></tr>` : "";
    if (!open.length) {
      this.body.innerHTML = `${notice}<tr><td colspan="5" class="muted">${t("incidents.none")}</td></tr>`;
      return;
    }
    this.body.innerHTML =
      notice +
      open
        .map((i) => {
          const commune = this.province.communes.get(i.unitCode)?.name ?? i.unitCode;
          return `<tr data-incident="${escape(i.id)}" data-acknowledged="${Boolean(i.acknowledgedAt)}" data-overdue="${i.overdue}"><td>${escape(commune)}</td><td>${escape(i.village ?? i.clusterId ?? "")}</td>
          <td>${escape(t(`signal.${i.cause}`))}</td><td>${escape(age(Date.parse(i.downSince)))}</td><td class="handling">${this.handling(i)}</td></tr>`;
        })
        .join("");
  }
}
