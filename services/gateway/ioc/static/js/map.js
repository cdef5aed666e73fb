// The province map: Leaflet with no tile layer (nothing is fetched), the districts' boxes and
// names from province.json, and every station and loudspeaker cluster as a coloured circle.
// Each circle's SVG element carries data-station / data-cluster and data-state, which the
// browser tests read.
import { t } from "./i18n.js";
import { isDown } from "./state.js";

const COLOURS = { ok: "#2fb36d", partial: "#e0a526", down: "#e5484d", unknown: "#7b8794" };
const CLUSTER_RING_PX = 14;

function hash(text) {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.codePointAt(0), 16777619);
  return (h >>> 0) / 4294967296;
}

export class ProvinceMap {
  constructor(element, geo, province, onSelect) {
    this.geo = geo;
    this.province = province;
    this.onSelect = onSelect;
    this.places = new Map(geo.communes.map((c) => [c.code, c.at]));
    this.districtBounds = new Map(geo.districts.map((d) => [d.code, d.bounds]));
    this.stationMarkers = new Map();
    this.clusterMarkers = new Map();
    this.map = L.map(element, { attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
    this.map.fitBounds(geo.province.bounds, { padding: [10, 10] });
    for (const district of geo.districts) {
      L.rectangle(district.bounds, { color: "#3b4b5d", weight: 1, fillColor: "#1c2835", fillOpacity: 0.35, interactive: false }).addTo(this.map);
      L.tooltip({ permanent: true, direction: "center", className: "district-label" })
        .setLatLng(district.centroid)
        .setContent(district.name.replace(/^(Huyện|Thành Phố) /, ""))
        .addTo(this.map);
    }
    for (const commune of geo.communes) {
      L.circleMarker(commune.at, { radius: 2, color: "#44566b", weight: 1, fillOpacity: 0.6, interactive: false }).addTo(this.map);
    }
    // The panel gets its size after the page's grid is laid out: fit the province again then.
    // A hidden panel (signed out) has no size, and a fit into none gives Leaflet no zoom.
    this.resized = new ResizeObserver(() => {
      if (element.clientWidth === 0 || element.clientHeight === 0) return;
      this.map.invalidateSize();
      if (!this.moved) this.map.fitBounds(geo.province.bounds, { padding: [10, 10] });
    });
    this.resized.observe(element);
    this.map.on("dragstart", () => (this.moved = true));
    this.map.on("zoomend", () => this.ring());
  }

  /** Leaves the element as it was found, for the next sign-in's map. */
  remove() {
    this.resized.disconnect();
    this.map.remove();
  }

  /** Where a commune's station stands: its place in province.json, else a fixed spot in its
   * district's box (or the province's), so units registered later still show. */
  placeOf(communeCode) {
    const known = this.places.get(communeCode);
    if (known) return known;
    const district = this.province.communes.get(communeCode)?.district;
    const [[south, west], [north, east]] = this.districtBounds.get(district) ?? this.geo.province.bounds;
    const u = 0.2 + 0.6 * hash(`${communeCode}:lat`);
    const v = 0.2 + 0.6 * hash(`${communeCode}:lon`);
    const at = [south + u * (north - south), west + v * (east - west)];
    this.places.set(communeCode, at);
    return at;
  }

  /** Draws every station and cluster again (after the snapshot, or when assets were added). */
  draw() {
    for (const marker of [...this.stationMarkers.values(), ...this.clusterMarkers.values()]) marker.remove();
    this.stationMarkers.clear();
    this.clusterMarkers.clear();
    for (const station of this.province.stations.values()) {
      const at = this.placeOf(station.commune);
      for (const raw of station.clusters) {
        const marker = L.circleMarker(at, { radius: 4, weight: 1, color: "#0b1118", fillOpacity: 0.95 });
        marker.on("click", () => this.onSelect(station.raw));
        marker.addTo(this.map);
        marker.getElement().dataset.cluster = raw;
        this.clusterMarkers.set(raw, marker);
        this.paintCluster(raw);
      }
      const marker = L.circleMarker(at, { radius: 8, weight: 2, color: "#e4ebf2", fillOpacity: 0.95 });
      marker.bindTooltip(() => this.tooltip(station));
      marker.on("click", () => this.onSelect(station.raw));
      marker.addTo(this.map);
      marker.getElement().dataset.station = station.raw;
      this.stationMarkers.set(station.raw, marker);
      this.paintStation(station.raw);
    }
    this.ring();
  }

  /** Clusters sit on a ring a fixed number of pixels around their station, at any zoom. */
  ring() {
    for (const station of this.province.stations.values()) {
      const centre = this.map.latLngToLayerPoint(this.placeOf(station.commune));
      const radius = Math.max(CLUSTER_RING_PX, 2.5 * station.clusters.length);
      station.clusters.forEach((raw, index) => {
        const angle = (2 * Math.PI * index) / station.clusters.length - Math.PI / 2;
        const point = centre.add(L.point(radius * Math.cos(angle), radius * Math.sin(angle)));
        this.clusterMarkers.get(raw)?.setLatLng(this.map.layerPointToLatLng(point));
      });
    }
  }

  tooltip(station) {
    const commune = this.province.communes.get(station.commune);
    return `${commune?.name ?? station.commune}: ${t(`legend.${this.province.stationState(station)}`)}`;
  }

  paintCluster(raw) {
    const marker = this.clusterMarkers.get(raw);
    const cluster = this.province.clusters.get(raw);
    if (!marker || !cluster) return;
    const state = isDown(cluster.signal) ? "down" : cluster.signal === "ONLINE" ? "ok" : "unknown";
    marker.setStyle({ fillColor: COLOURS[state] });
    marker.getElement().dataset.state = state;
  }

  paintStation(raw) {
    const marker = this.stationMarkers.get(raw);
    const station = this.province.stations.get(raw);
    if (!marker || !station) return;
    const state = this.province.stationState(station);
    marker.setStyle({ fillColor: COLOURS[state] });
    marker.getElement().dataset.state = state;
  }

  /** A cluster's signal changed: it and its station are repainted, nothing else. */
  clusterChanged(cluster) {
    this.paintCluster(cluster.raw);
    this.paintStation(cluster.station);
  }
}
