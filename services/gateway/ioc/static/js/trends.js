// Trends: an indicator over the last years for a unit and the units under it, against the
// unit's target (Chart.js); and the districts ranked by the DTI with what makes up the score.
import { isForbidden } from "./api.js";
import { current, number, t } from "./i18n.js";

const YEARS = 6;
const PALETTE = ["#4aa3ff", "#2fb36d", "#e0a526", "#c678dd", "#56b6c2", "#e06c75", "#98c379", "#d19a66", "#61afef", "#be5046"];

export const RANKING_INDEX = "index.dti";
/** The DTI's components, as the metrics service's catalogue defines the index
 * (services/metrics/seed/indicators.py); the gateway does not list an index's components. */
export const RANKING_PARTS = [
  "radio.communes.ip_share",
  "radio.communes.working_share",
  "telecom.villages.fibre_share",
  "teams.commune.coverage",
  "teams.village.coverage",
  "egov.online_services_rate",
  "citizens.bank_account_15plus",
];

function years() {
  const now = new Date().getFullYear();
  return Array.from({ length: YEARS }, (_, i) => String(now - YEARS + 1 + i));
}

function trendQuery(periods) {
  const own = periods.map((p, i) => `y${i}: indicators(period: "${p}", codes: $codes) { value target }`).join(" ");
  const child = periods.map((p, i) => `y${i}: indicators(period: "${p}", codes: $codes) { value }`).join(" ");
  return `query Trend($code: String!, $codes: [String!]) { unit(code: $code) { code name ${own}
    children(first: 30) { edges { node { code name ${child} } } } } }`;
}

const RANKING = `query Ranking($index: String!, $period: Period!, $parts: [String!]!, $province: String) {
  ranking(indexCode: $index, period: $period, level: DISTRICT) { score rank unit { code name } }
  indicatorValues(codes: $parts, period: $period, level: DISTRICT, parentCode: $province) { value unit { code } indicator { code name nameEn } }
}`;

export class Trends {
  constructor(api, province, controls) {
    this.api = api;
    this.province = province;
    this.controls = controls;
    this.chart = null;
    this.catalogue = [];
    controls.indicator.onchange = () => this.load();
    controls.unit.onchange = () => this.load();
  }

  fill(catalogue) {
    this.catalogue = catalogue;
    const chosen = this.controls.indicator.value || (catalogue.find((i) => i.code === RANKING_INDEX) ?? catalogue[0])?.code;
    const name = (i) => (current() === "en" && i.nameEn ? i.nameEn : i.name);
    this.controls.indicator.innerHTML = catalogue.map((i) => `<option value="${i.code}">${name(i)}</option>`).join("");
    if (chosen) this.controls.indicator.value = chosen;
    const unit = this.controls.unit.value || this.province.code;
    const units = [[this.province.code, this.province.name], ...[...this.province.districts.values()].map((d) => [d.code, d.name])];
    this.controls.unit.innerHTML = units.map(([code, label]) => `<option value="${code}">${label}</option>`).join("");
    this.controls.unit.value = unit;
  }

  async load() {
    const code = this.controls.unit.value;
    const indicator = this.controls.indicator.value;
    if (!code || !indicator) return;
    const periods = years();
    let unit;
    try {
      unit = (await this.api.query(trendQuery(periods), { code, codes: [indicator] })).unit;
    } catch (error) {
      this.controls.note.textContent = isForbidden(error) ? t("forbidden") : error.message;
      return;
    }
    if (!unit) return;
    const pick = (node, i) => node[`y${i}`]?.[0]?.value ?? null;
    const datasets = [
      { label: unit.name, data: periods.map((_, i) => pick(unit, i)), borderColor: PALETTE[0], borderWidth: 3, tension: 0.2 },
      {
        label: t("trends.target"),
        data: periods.map((_, i) => unit[`y${i}`]?.[0]?.target ?? null),
        borderColor: "#e4ebf2",
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
      },
      ...unit.children.edges.map(({ node }, n) => ({
        label: node.name,
        data: periods.map((_, i) => pick(node, i)),
        borderColor: PALETTE[(n + 1) % PALETTE.length],
        borderWidth: 1,
        pointRadius: 2,
      })),
    ];
    this.controls.note.textContent = t("trends.note", { unit: unit.name });
    if (this.chart) this.chart.destroy();
    this.chart = new Chart(this.controls.canvas, {
      type: "line",
      data: { labels: periods, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        spanGaps: true,
        plugins: { legend: { position: "right", labels: { color: "#8a9bb0", boxWidth: 10, font: { size: 10 } } } },
        scales: { x: { ticks: { color: "#8a9bb0" } }, y: { ticks: { color: "#8a9bb0" }, grid: { color: "#2a3746" } } },
      },
    });
  }

  /** The latest year with scores, at most YEARS back. */
  async ranking(element) {
    for (const period of years().reverse()) {
      let data;
      try {
        data = await this.api.query(RANKING, { index: RANKING_INDEX, period, parts: RANKING_PARTS, province: this.province.code });
      } catch (error) {
        element.textContent = isForbidden(error) ? t("forbidden") : error.message;
        return;
      }
      if (!data.ranking.length) continue;
      const parts = new Map();
      for (const value of data.indicatorValues) {
        if (!parts.has(value.unit.code)) parts.set(value.unit.code, []);
        parts.get(value.unit.code).push(`${t(`part.${value.indicator.code}`)} ${value.value === null ? "—" : number(value.value, 0)}`);
      }
      const best = Math.max(...data.ranking.map((r) => r.score), 1);
      const rows = data.ranking.map(
        (r) => `<tr data-unit="${r.unit.code}"><td>${r.rank}</td><td>${r.unit.name}</td><td>${number(r.score, 1)}</td>
          <td class="bar-cell"><div class="bar-fill" data-width="${(100 * r.score) / best}"></div>
          <div class="parts">${(parts.get(r.unit.code) ?? []).join(" · ")}</div></td></tr>`,
      );
      element.innerHTML = `<p class="muted">${period}</p><table><thead><tr><th>${t("ranking.rank")}</th><th>${t("ranking.unit")}</th>
        <th>${t("ranking.score")}</th><th>${t("ranking.parts")}</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
      // Set through the DOM: the page's CSP refuses inline style attributes.
      for (const bar of element.querySelectorAll(".bar-fill")) bar.style.width = `${bar.dataset.width}%`;
      return;
    }
    element.textContent = t("ranking.none");
  }
}
