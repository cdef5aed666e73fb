// The live event feed: every event this key may read, newest first, filtered by district and
// kind; paused, it holds what arrives and shows it on resume.
import { t, time } from "./i18n.js";

const KINDS = [
  ["signal", /^broadcast\.cluster_signal_/],
  ["incident", /^broadcast\.(signal_)?incident_/],
  ["alert", /^broadcast\.emergency_alert_/],
  ["relay", /^broadcast\.relay_session_/],
  ["programme", /^broadcast\.programme_/],
  ["registry", /^registry\./],
  ["metrics", /^metrics\./],
];
const SHOWN = 300;
const SUMMARY_FIELDS = ["title", "name", "code", "indicator_code", "value", "period", "signal", "cause", "priority", "source_kind"];

export function kindOf(type) {
  for (const [kind, pattern] of KINDS) if (pattern.test(type)) return kind;
  return "other";
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class Feed {
  constructor(list, province, controls) {
    this.list = list;
    this.province = province;
    this.controls = controls;
    this.events = [];
    this.held = [];
    this.paused = false;
    controls.district.onchange = () => this.render();
    controls.kind.onchange = () => this.render();
    controls.pause.onclick = () => this.togglePause();
    this.fillFilters();
  }

  fillFilters() {
    const district = this.controls.district.value;
    const kind = this.controls.kind.value;
    const districts = [...this.province.districts.values()].map((d) => `<option value="${d.code}">${escape(d.name)}</option>`);
    this.controls.district.innerHTML = `<option value="">${t("feed.allDistricts")}</option>${districts.join("")}`;
    const kinds = [...KINDS.map(([k]) => k), "other"].map((k) => `<option value="${k}">${t(`kind.${k}`)}</option>`);
    this.controls.kind.innerHTML = `<option value="">${t("feed.allKinds")}</option>${kinds.join("")}`;
    this.controls.district.value = district;
    this.controls.kind.value = kind;
    this.controls.pause.textContent = t(this.paused ? "feed.resume" : "feed.pause");
  }

  add(event) {
    if (this.paused) {
      this.held.push(event);
      this.controls.held.textContent = t("feed.held", { count: this.held.length });
      return;
    }
    this.events.unshift(event);
    this.events.length = Math.min(this.events.length, SHOWN * 3);
    if (this.visible(event)) {
      this.list.insertAdjacentHTML("afterbegin", this.row(event));
      while (this.list.children.length > SHOWN) this.list.lastElementChild.remove();
    }
  }

  gap(reason) {
    this.notice(t("feed.gap", { reason }));
  }

  /** A line in the feed that is not an event: a refused resume, a panel that failed to load. */
  notice(text) {
    this.list.insertAdjacentHTML("afterbegin", `<li class="gap">${escape(text)}</li>`);
  }

  togglePause() {
    this.paused = !this.paused;
    this.controls.pause.textContent = t(this.paused ? "feed.resume" : "feed.pause");
    if (!this.paused) {
      const held = this.held;
      this.held = [];
      this.controls.held.textContent = "";
      for (const event of held) this.add(event);
    }
  }

  visible(event) {
    const district = this.controls.district.value;
    const kind = this.controls.kind.value;
    if (kind && kindOf(event.type) !== kind) return false;
    if (district && this.province.districtOf(event.unitCode) !== district) return false;
    return true;
  }

  row(event) {
    const unit = this.province.communes.get(event.unitCode)?.name ?? this.province.districts.get(event.unitCode)?.name ?? event.unitCode ?? "";
    const data = event.data ?? {};
    const summary = SUMMARY_FIELDS.filter((f) => data[f] !== undefined && typeof data[f] !== "object").map((f) => `${f}: ${data[f]}`);
    return `<li data-event="${escape(event.id)}" data-type="${escape(event.type)}" data-unit="${escape(event.unitCode ?? "")}">
      <span class="time">${time(event.recordedAt)}</span>
      <span class="kind">${escape(t(`kind.${kindOf(event.type)}`))} · ${escape(event.type.split(".").slice(1).join("."))}</span>
      <span class="what">${escape(unit)} ${escape(summary.join(", "))}</span></li>`;
  }

  render() {
    this.fillFilters();
    this.list.innerHTML = this.events.filter((e) => this.visible(e)).slice(0, SHOWN).map((e) => this.row(e)).join("");
  }
}
