// The emergency-alert panel: issue an alert to a unit with a priority and an expiry, watch the
// acknowledgements arrive station by station, see who has not acknowledged after N minutes.
import { isForbidden } from "./api.js";
import { t, time } from "./i18n.js";
import { rawId } from "./state.js";

const ALERT_FIELDS = `id category priority title message issuedAt expiresAt expired cancelledAt stationCount
  acknowledgedCount area { code name } stations { unitCode acknowledgedAt station { id } }`;
const ALERTS = `query Alerts { emergencyAlerts(first: 20) { edges { node { ${ALERT_FIELDS} } } } }`;
const ALERT = `query Alert($id: ID!) { emergencyAlert(id: $id) { ${ALERT_FIELDS} } }`;
const ISSUE = `mutation Issue($input: IssueEmergencyAlertInput!) { issueEmergencyAlert(input: $input) { ${ALERT_FIELDS} } }`;
const CATEGORIES = ["disaster", "epidemic", "security", "other"];
const PRIORITIES = ["critical", "high", "normal", "low"];

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An alert as the panel keeps it: its stations by raw id, acknowledged or not. */
export class Alert {
  constructor(node) {
    this.id = rawId(node.id);
    this.category = node.category.toLowerCase();
    this.priority = node.priority.toLowerCase();
    this.title = node.title;
    this.area = node.area?.name ?? "";
    this.issuedAt = Date.parse(node.issuedAt);
    this.expiresAt = Date.parse(node.expiresAt);
    this.cancelled = Boolean(node.cancelledAt);
    this.stations = new Map(
      node.stations.map((s) => [rawId(s.station?.id ?? s.unitCode), { unitCode: s.unitCode, acknowledgedAt: s.acknowledgedAt ? Date.parse(s.acknowledgedAt) : null }]),
    );
  }

  get active() {
    return !this.cancelled && this.expiresAt > Date.now();
  }

  pending() {
    return [...this.stations.entries()].filter(([, s]) => s.acknowledgedAt === null);
  }

  /** Stations with no acknowledgement ``minutes`` after the issue, once that time has come. */
  late(minutes, now = Date.now()) {
    const deadline = this.issuedAt + minutes * 60_000;
    if (now < deadline) return [];
    return [...this.stations.entries()].filter(([, s]) => s.acknowledgedAt === null || s.acknowledgedAt > deadline);
  }
}

export class Alerts {
  constructor(api, province, elements, onChange) {
    this.api = api;
    this.province = province;
    this.elements = elements;
    this.onChange = onChange;
    this.pending = new Map();
    // Acknowledgements the feed has shown, by alert and station: a read of an alert answered
    // from a read model that has not caught up with them yet must not take them back.
    this.acks = new Map();
    elements.late.onchange = () => this.render();
    // Stations turn late as minutes pass, not only when an event arrives.
    this.ticker = setInterval(() => this.render(), 15_000);
    elements.form.onsubmit = (event) => {
      event.preventDefault();
      this.issue();
    };
  }

  async load() {
    try {
      const data = await this.api.query(ALERTS);
      this.province.alerts.clear();
      for (const { node } of data.emergencyAlerts.edges) this.keep(new Alert(node));
    } catch (error) {
      if (!isForbidden(error)) throw error;
      this.forbidden = true;
    }
    this.render();
  }

  async refresh(alertId) {
    try {
      const data = await this.api.query(ALERT, { id: `EmergencyAlert:${alertId}` });
      if (data.emergencyAlert) this.keep(new Alert(data.emergencyAlert));
    } catch (error) {
      if (!isForbidden(error)) throw error;
    }
    this.render();
  }

  /** Signed out: its timers end with it. */
  stop() {
    clearInterval(this.ticker);
    for (const timer of this.pending.values()) clearTimeout(timer);
  }

  /** An alert as read, with the acknowledgements the feed has already shown; the panel's now. */
  keep(alert) {
    for (const [station, at] of this.acks.get(alert.id) ?? []) {
      const kept = alert.stations.get(station);
      if (kept && kept.acknowledgedAt === null) kept.acknowledgedAt = at;
    }
    this.province.alerts.set(alert.id, alert);
    return alert;
  }

  /** A live event of an alert: an acknowledgement is shown at once, anything else re-read. */
  event(event) {
    const data = event.data;
    const alert = this.province.alerts.get(data.alert_id);
    if (event.type === "broadcast.emergency_alert_acknowledged") {
      const at = Date.parse(data.acknowledged_at);
      if (!this.acks.has(data.alert_id)) this.acks.set(data.alert_id, new Map());
      this.acks.get(data.alert_id).set(data.station_id, at);
      if (alert?.stations.has(data.station_id)) {
        alert.stations.get(data.station_id).acknowledgedAt = at;
        this.render();
        return;
      }
    }
    if (event.type === "broadcast.emergency_alert_cancelled" && alert) {
      alert.cancelled = true;
      this.render();
      return;
    }
    // An issue comes with one dispatch per station: the alert is read once, after the burst.
    clearTimeout(this.pending.get(data.alert_id));
    this.pending.set(data.alert_id, setTimeout(() => this.refresh(data.alert_id), 250));
  }

  form() {
    const units = [[this.province.code, this.province.name], ...[...this.province.districts.values()].map((d) => [d.code, d.name]),
      ...[...this.province.communes.values()].map((c) => [c.code, `· ${c.name}`])];
    const option = (value, label) => `<option value="${escape(value)}">${escape(label)}</option>`;
    this.elements.form.innerHTML = `
      <label>${t("alerts.unit")}<select name="unit">${units.map(([c, n]) => option(c, n)).join("")}</select></label>
      <label>${t("alerts.category")}<select name="category">${CATEGORIES.map((c) => option(c, t(`category.${c}`))).join("")}</select></label>
      <label>${t("alerts.priority")}<select name="priority">${PRIORITIES.map((p) => option(p, t(`priority.${p}`))).join("")}</select></label>
      <label>${t("alerts.expiry")}<input name="expiry" type="number" min="1" max="10080" value="60" required></label>
      <label class="wide">${t("alerts.headline")}<input name="title" required maxlength="200"></label>
      <label class="wide">${t("alerts.message")}<textarea name="message" rows="2" required maxlength="2000"></textarea></label>
      <button type="submit" class="wide">${t("alerts.issue")}</button>
      <p class="error wide" role="alert" data-role="message"></p>`;
  }

  async issue() {
    const form = new FormData(this.elements.form);
    const notice = this.elements.form.querySelector("[data-role=message]");
    const input = {
      unitCode: form.get("unit"),
      category: String(form.get("category")).toUpperCase(),
      priority: String(form.get("priority")).toUpperCase(),
      title: form.get("title"),
      message: form.get("message"),
      expiresAt: new Date(Date.now() + Number(form.get("expiry")) * 60_000).toISOString(),
      idempotencyKey: crypto.randomUUID(),
    };
    try {
      const data = await this.api.query(ISSUE, { input });
      const alert = this.keep(new Alert(data.issueEmergencyAlert));
      notice.textContent = t("alerts.issued");
      this.elements.form.querySelector("[name=title]").value = "";
      this.elements.form.querySelector("[name=message]").value = "";
    } catch (error) {
      notice.textContent = isForbidden(error) ? t("forbidden") : error.message;
    }
    this.render();
  }

  stationName(raw, unitCode) {
    return this.province.communes.get(unitCode)?.name ?? this.province.communes.get(this.province.stations.get(raw)?.commune)?.name ?? unitCode;
  }

  render() {
    this.onChange();
    if (this.forbidden) {
      this.elements.list.textContent = t("forbidden");
      return;
    }
    const minutes = Number(this.elements.late.value) || 5;
    const alerts = [...this.province.alerts.values()].sort((a, b) => b.issuedAt - a.issuedAt);
    if (!alerts.length) {
      this.elements.list.innerHTML = `<p class="muted">${t("alerts.none")}</p>`;
      return;
    }
    this.elements.list.innerHTML = alerts
      .map((alert) => {
        const acked = alert.stations.size - alert.pending().length;
        const late = new Set(alert.late(minutes).map(([raw]) => raw));
        const stations = [...alert.stations.entries()]
          .map(([raw, s]) => {
            const state = s.acknowledgedAt !== null ? "acked" : late.has(raw) ? "late" : "waiting";
            const when = s.acknowledgedAt !== null ? time(s.acknowledgedAt) : late.has(raw) ? t("alerts.late", { minutes }) : "…";
            return `<li class="${state}" data-station="${escape(raw)}" data-state="${state}">${escape(this.stationName(raw, s.unitCode))} — ${escape(when)}</li>`;
          })
          .join("");
        const status = alert.cancelled ? t("alerts.cancelled") : t("alerts.expires", { time: time(alert.expiresAt) });
        return `<div class="alert" data-alert="${escape(alert.id)}" data-priority="${alert.priority}">
          <strong>${escape(alert.title)}</strong> <span class="muted">${escape(alert.area)} · ${t(`priority.${alert.priority}`)} · ${t(`category.${alert.category}`)} · ${escape(status)}</span>
          <div class="acked" data-acked="${acked}">${t("alerts.acked", { acked, total: alert.stations.size })}</div>
          <progress max="${alert.stations.size || 1}" value="${acked}"></progress>
          <ul>${stations}</ul></div>`;
      })
      .join("");
  }
}
