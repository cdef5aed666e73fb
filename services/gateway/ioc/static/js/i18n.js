// Every string the console shows, in Vietnamese (the default) and English: the two
// dictionaries have the same keys (tests/unit/gateway/test_ioc_static.py checks it).
const DICTIONARIES = {
  vi: {
    "title": "Trung tâm điều hành",
    "language.switch": "EN",
    "signout": "Đăng xuất",
    "signin.title": "Đăng nhập bằng khoá API",
    "signin.key": "Khoá API",
    "signin.submit": "Đăng nhập",
    "signin.note": "Khoá chỉ được giữ trong phiên trình duyệt này.",
    "signin.refused": "Khoá không được chấp nhận.",
    "signin.unreachable": "Không kết nối được với cổng API.",
    "connection.offline": "Ngoại tuyến",
    "connection.connecting": "Đang kết nối",
    "connection.live": "Trực tuyến",
    "connection.reconnecting": "Đang kết nối lại",
    "forbidden": "Khoá này không được xem mục này.",
    "unavailable": "Chưa có dữ liệu.",
    "tile.stations": "Đài đang hoạt động",
    "tile.clustersDown": "Cụm loa mất tín hiệu",
    "tile.clustersOf": "trên {total} cụm",
    "tile.incidents": "Sự cố đang mở",
    "tile.oldest": "lâu nhất {age}",
    "tile.none": "không có",
    "tile.alerts": "Cảnh báo chờ xác nhận",
    "tile.alertsSub": "{stations} đài chưa xác nhận",
    "tile.relay": "Giờ tiếp sóng hôm nay",
    "tile.relaySub": "{sessions} phiên",
    "tile.target": "mục tiêu {target}",
    "tile.noTarget": "chưa có mục tiêu",
    "map.title": "Bản đồ tỉnh",
    "legend.ok": "Có tín hiệu",
    "legend.partial": "Mất một phần",
    "legend.down": "Mất tín hiệu",
    "legend.unknown": "Chưa rõ",
    "station.title": "Đài truyền thanh {name}",
    "station.status": "Trạng thái",
    "station.technology": "Công nghệ",
    "station.clusters": "Cụm loa",
    "station.relayToday": "Tiếp sóng hôm nay",
    "station.incident": "Sự cố đang mở",
    "station.noIncident": "Không có sự cố",
    "station.noClusters": "Chưa có cụm loa",
    "station.close": "Đóng",
    "signal.ONLINE": "có tín hiệu",
    "signal.NO_SIGNAL": "mất tín hiệu",
    "signal.OFFLINE": "mất kết nối",
    "signal.SILENT": "không báo về",
    "signal.UNKNOWN": "chưa rõ",
    "status.OPERATIONAL": "hoạt động",
    "status.DEGRADED": "suy giảm",
    "status.DOWN": "ngừng",
    "status.DECOMMISSIONED": "đã thôi dùng",
    "feed.title": "Sự kiện trực tiếp",
    "feed.pause": "Tạm dừng",
    "feed.resume": "Tiếp tục",
    "feed.held": "{count} sự kiện đang chờ",
    "feed.allDistricts": "Mọi huyện",
    "feed.allKinds": "Mọi loại",
    "feed.gap": "Không thể phát lại các sự kiện đã lỡ ({reason}); dòng sự kiện tiếp tục từ bây giờ.",
    "kind.signal": "Tín hiệu cụm loa",
    "kind.incident": "Sự cố",
    "kind.alert": "Cảnh báo khẩn cấp",
    "kind.relay": "Tiếp sóng",
    "kind.programme": "Chương trình",
    "kind.registry": "Danh mục",
    "kind.metrics": "Chỉ tiêu",
    "kind.other": "Khác",
    "alerts.title": "Cảnh báo khẩn cấp",
    "alerts.unit": "Địa bàn",
    "alerts.category": "Loại",
    "alerts.priority": "Mức ưu tiên",
    "alerts.expiry": "Hết hạn sau (phút)",
    "alerts.headline": "Tiêu đề",
    "alerts.message": "Nội dung",
    "alerts.issue": "Phát cảnh báo",
    "alerts.issued": "Đã phát cảnh báo.",
    "alerts.lateAfter": "Chưa xác nhận sau (phút)",
    "alerts.acked": "{acked}/{total} đài đã xác nhận",
    "alerts.late": "Chưa xác nhận sau {minutes} phút",
    "alerts.none": "Không có cảnh báo đang hiệu lực.",
    "alerts.expires": "hết hạn {time}",
    "alerts.cancelled": "đã huỷ",
    "category.disaster": "Thiên tai",
    "category.epidemic": "Dịch bệnh",
    "category.security": "An ninh",
    "category.other": "Khác",
    "priority.low": "Thấp",
    "priority.normal": "Bình thường",
    "priority.high": "Cao",
    "priority.critical": "Khẩn cấp",
    "incidents.title": "Sự cố đang mở",
    "incidents.station": "Đài",
    "incidents.cluster": "Cụm loa",
    "incidents.cause": "Nguyên nhân",
    "incidents.age": "Thời gian",
    "incidents.none": "Không có sự cố đang mở.",
    "incidents.handling": "Xử lý",
    "incidents.acknowledge": "Tiếp nhận",
    "incidents.acknowledged": "Đã tiếp nhận lúc {time}",
    "incidents.waiting": "Chưa tiếp nhận",
    "incidents.overdue": "Quá hạn chưa tiếp nhận",
    "incidents.assign": "Giao xử lý",
    "incidents.assignee": "Đơn vị xử lý",
    "incidents.assignedTo": "Giao cho {who}",
    "trends.title": "Xu hướng chỉ tiêu",
    "trends.target": "Mục tiêu",
    "trends.note": "{unit} và các đơn vị trực thuộc, theo năm; đường nét đứt là mục tiêu.",
    "ranking.title": "Xếp hạng huyện",
    "ranking.rank": "Hạng",
    "ranking.unit": "Huyện",
    "ranking.score": "Điểm",
    "ranking.parts": "Thành phần",
    "ranking.none": "Chưa có điểm cho kỳ này.",
    "part.radio.communes.ip_share": "Đài IP",
    "part.radio.communes.working_share": "Đài tốt",
    "part.telecom.villages.fibre_share": "Cáp quang",
    "part.teams.commune.coverage": "Tổ CNS xã",
    "part.teams.village.coverage": "Tổ CNS thôn",
    "part.egov.online_services_rate": "TTHC trực tuyến",
    "part.citizens.bank_account_15plus": "Tài khoản NH",
    "age.minutes": "{n} phút",
    "age.hours": "{h} giờ {m} phút",
    "age.days": "{d} ngày {h} giờ",
    "age.seconds": "{n} giây",
  },
  en: {
    "title": "Operations centre",
    "language.switch": "VI",
    "signout": "Sign out",
    "signin.title": "Sign in with an API key",
    "signin.key": "API key",
    "signin.submit": "Sign in",
    "signin.note": "The key is kept only in this browser session.",
    "signin.refused": "The key was not accepted.",
    "signin.unreachable": "The API gateway cannot be reached.",
    "connection.offline": "Offline",
    "connection.connecting": "Connecting",
    "connection.live": "Live",
    "connection.reconnecting": "Reconnecting",
    "forbidden": "This key may not read this.",
    "unavailable": "No data yet.",
    "tile.stations": "Stations working",
    "tile.clustersDown": "Clusters without signal",
    "tile.clustersOf": "of {total} clusters",
    "tile.incidents": "Open incidents",
    "tile.oldest": "oldest {age}",
    "tile.none": "none",
    "tile.alerts": "Alerts awaiting acknowledgement",
    "tile.alertsSub": "{stations} stations have not acknowledged",
    "tile.relay": "Relay hours today",
    "tile.relaySub": "{sessions} sessions",
    "tile.target": "target {target}",
    "tile.noTarget": "no target",
    "map.title": "Province map",
    "legend.ok": "Signal",
    "legend.partial": "Partly down",
    "legend.down": "No signal",
    "legend.unknown": "Unknown",
    "station.title": "Radio station {name}",
    "station.status": "Status",
    "station.technology": "Technology",
    "station.clusters": "Loudspeaker clusters",
    "station.relayToday": "Relay airtime today",
    "station.incident": "Open incident",
    "station.noIncident": "No open incident",
    "station.noClusters": "No clusters yet",
    "station.close": "Close",
    "signal.ONLINE": "signal",
    "signal.NO_SIGNAL": "no signal",
    "signal.OFFLINE": "offline",
    "signal.SILENT": "silent",
    "signal.UNKNOWN": "unknown",
    "status.OPERATIONAL": "operational",
    "status.DEGRADED": "degraded",
    "status.DOWN": "down",
    "status.DECOMMISSIONED": "decommissioned",
    "feed.title": "Live events",
    "feed.pause": "Pause",
    "feed.resume": "Resume",
    "feed.held": "{count} events held",
    "feed.allDistricts": "All districts",
    "feed.allKinds": "All kinds",
    "feed.gap": "The missed events cannot be replayed ({reason}); the feed goes on from now.",
    "kind.signal": "Cluster signal",
    "kind.incident": "Incidents",
    "kind.alert": "Emergency alerts",
    "kind.relay": "Relays",
    "kind.programme": "Programmes",
    "kind.registry": "Registry",
    "kind.metrics": "Indicators",
    "kind.other": "Other",
    "alerts.title": "Emergency alerts",
    "alerts.unit": "Area",
    "alerts.category": "Category",
    "alerts.priority": "Priority",
    "alerts.expiry": "Expires after (minutes)",
    "alerts.headline": "Title",
    "alerts.message": "Message",
    "alerts.issue": "Issue alert",
    "alerts.issued": "Alert issued.",
    "alerts.lateAfter": "Not acknowledged after (minutes)",
    "alerts.acked": "{acked}/{total} stations acknowledged",
    "alerts.late": "Not acknowledged after {minutes} minutes",
    "alerts.none": "No alert in force.",
    "alerts.expires": "expires {time}",
    "alerts.cancelled": "cancelled",
    "category.disaster": "Disaster",
    "category.epidemic": "Epidemic",
    "category.security": "Security",
    "category.other": "Other",
    "priority.low": "Low",
    "priority.normal": "Normal",
    "priority.high": "High",
    "priority.critical": "Critical",
    "incidents.title": "Open incidents",
    "incidents.station": "Station",
    "incidents.cluster": "Cluster",
    "incidents.cause": "Cause",
    "incidents.age": "Age",
    "incidents.none": "No open incident.",
    "incidents.handling": "Handling",
    "incidents.acknowledge": "Acknowledge",
    "incidents.acknowledged": "Acknowledged at {time}",
    "incidents.waiting": "Not acknowledged",
    "incidents.overdue": "Not acknowledged in time",
    "incidents.assign": "Assign",
    "incidents.assignee": "Assignee",
    "incidents.assignedTo": "Assigned to {who}",
    "trends.title": "Indicator trends",
    "trends.target": "Target",
    "trends.note": "{unit} and the units under it, by year; the dashed line is the target.",
    "ranking.title": "District ranking",
    "ranking.rank": "Rank",
    "ranking.unit": "District",
    "ranking.score": "Score",
    "ranking.parts": "Breakdown",
    "ranking.none": "No scores for this period yet.",
    "part.radio.communes.ip_share": "IP stations",
    "part.radio.communes.working_share": "Working stations",
    "part.telecom.villages.fibre_share": "Fibre",
    "part.teams.commune.coverage": "Commune teams",
    "part.teams.village.coverage": "Village teams",
    "part.egov.online_services_rate": "Online procedures",
    "part.citizens.bank_account_15plus": "Bank accounts",
    "age.minutes": "{n} min",
    "age.hours": "{h} h {m} min",
    "age.days": "{d} d {h} h",
    "age.seconds": "{n} s",
  },
};

const STORAGE_KEY = "tinhso.ioc.language";
let language = localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "vi";
const listeners = [];

export function t(key, params = {}) {
  const text = DICTIONARIES[language][key] ?? DICTIONARIES.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function current() {
  return language;
}

export function locale() {
  return language === "vi" ? "vi-VN" : "en-GB";
}

export function onChange(listener) {
  listeners.push(listener);
  return () => {
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  };
}

/** Fills every element marked ``data-i18n`` under ``root``. */
export function translate(root = document) {
  document.documentElement.lang = language;
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

export function toggle() {
  language = language === "vi" ? "en" : "vi";
  localStorage.setItem(STORAGE_KEY, language);
  translate();
  for (const listener of listeners) listener(language);
}

/** How long ago ``since`` was, in words. */
export function age(since, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  if (seconds < 60) return t("age.seconds", { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t("age.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("age.hours", { h: hours, m: minutes % 60 });
  return t("age.days", { d: Math.floor(hours / 24), h: hours % 24 });
}

export function time(value) {
  return new Date(value).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function number(value, digits = 0) {
  return Number(value).toLocaleString(locale(), { maximumFractionDigits: digits });
}
