# ruff: noqa: E501 - one indicator per line reads as a table; the Vietnamese names make some lines long
"""The province's indicator set (``../shared/design/DOMAIN.md``) and the DTI composite.

The service defines these through its own ``define_indicators`` command at start-up (or
``POST /commands/catalogue/seed``): a definition that is already there unchanged appends
nothing, a changed one is a revision, so shipping a new version of this list is safe.

Computed indicators count facts the metrics projection keeps from registry and broadcast
events (``services.metrics.entrypoints.facts_projection``); formula indicators combine them;
the rest are reported by partners.
"""

from __future__ import annotations

from contracts.metrics_events import (
    Aggregate,
    Component,
    IndicatorDefinition,
    IndicatorKind,
    Method,
    Rollup,
)


def _d(
    code: str,
    vi: str,
    en: str,
    unit: str,
    *,
    method: Method,
    kind: IndicatorKind = "stock",
    rollup: Rollup = "sum",
    fact: str | None = None,
    aggregate: Aggregate = "sum",
    formula: str | None = None,
    components: list[Component] | None = None,
    description: str | None = None,
    higher_is_better: bool = True,
    reporting_deadline_days: int | None = None,
) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=code,
        name_vi=vi,
        name_en=en,
        unit=unit,
        kind=kind,
        rollup=rollup,
        method=method,
        group=code.split(".", 1)[0],
        description=description,
        formula=formula,
        components=components or [],
        fact=fact,
        aggregate=aggregate,
        higher_is_better=higher_is_better,
        reporting_deadline_days=reporting_deadline_days,
    )


def _count(code: str, vi: str, en: str, fact: str | None = None, aggregate: Aggregate = "sum") -> IndicatorDefinition:
    return _d(code, vi, en, "count", method="computed", fact=fact or code, aggregate=aggregate)


def _share(code: str, vi: str, en: str, formula: str) -> IndicatorDefinition:
    return _d(code, vi, en, "%", method="formula", rollup="ratio_of_sums", formula=formula)


REPORTING_DEADLINE_DAYS = 15
"""When a reported value is due after its period ends, unless the catalogue says otherwise: an
assumption (the seeds do not give the province's reporting calendar), revised with
``catalogue/define`` like any other part of a definition."""


def _reported(
    code: str, vi: str, en: str, unit: str, *, kind: IndicatorKind = "stock", rollup: Rollup | None = None
) -> IndicatorDefinition:
    return _d(
        code, vi, en, unit, method="reported", kind=kind, rollup=rollup or ("average" if unit == "%" else "sum"),
        reporting_deadline_days=REPORTING_DEADLINE_DAYS,
    )  # fmt: skip


COMPUTED = [
    _count("admin.districts", "Số huyện, thành phố", "Districts and cities"),
    _count("admin.communes", "Số xã, phường, thị trấn", "Communes, wards and townships"),
    _count("admin.villages", "Số thôn, bản, tổ dân phố", "Villages, hamlets and street groups"),
    _count("radio.stations", "Số đài truyền thanh cơ sở", "Grassroots radio stations"),
    _count("radio.stations.ip", "Số đài truyền thanh ứng dụng CNTT-VT", "IT/telecom-enabled (IP) radio stations"),
    _count("radio.communes.station", "Số xã có đài truyền thanh", "Communes with a radio station", "radio.stations", "distinct_units"),
    _count("radio.communes.ip", "Số xã có đài ứng dụng CNTT-VT", "Communes with an IP radio station", "radio.stations.ip", "distinct_units"),
    _count("radio.communes.working", "Số xã có đài hoạt động tốt", "Communes with a well-working station", "radio.stations.working", "distinct_units"),
    _count("radio.clusters", "Số cụm loa", "Loudspeaker clusters"),
    _count("radio.clusters.down", "Số cụm loa mất tín hiệu", "Loudspeaker clusters without signal"),
    _count("telecom.bts", "Số trạm BTS", "Base station sites"),
    _count("telecom.bts.2g", "Số trạm BTS 2G", "2G base stations"),
    _count("telecom.bts.3g", "Số trạm BTS 3G", "3G base stations"),
    _count("telecom.bts.4g", "Số trạm BTS 4G", "4G base stations"),
    _count("telecom.bts.5g", "Số trạm BTS 5G", "5G base stations"),
    _count("telecom.villages.fibre", "Số thôn có cáp quang", "Villages with fibre"),
    _count("teams.commune", "Số tổ CNS cộng đồng cấp xã", "Commune-level community digital teams"),
    _count("teams.commune.members", "Số thành viên tổ CNS cấp xã", "Members of commune-level digital teams"),
    _count("teams.village", "Số tổ CNS cộng đồng cấp thôn", "Village-level community digital teams"),
    _count("teams.village.members", "Số thành viên tổ CNS cấp thôn", "Members of village-level digital teams"),
    _count("teams.commune.active", "Số tổ CNS cấp xã hoạt động", "Active commune-level digital teams"),
    _count("teams.village.active", "Số tổ CNS cấp thôn hoạt động", "Active village-level digital teams"),
    _count("postal.points", "Số điểm phục vụ bưu chính", "Postal service points"),
    _count("egov.video_endpoints", "Số điểm cầu hội nghị truyền hình", "Video-conference endpoints"),
    _count("telecom.wifi_hotspots", "Số điểm Wi-Fi công cộng", "Public Wi-Fi hotspots"),
    _d("broadcast.relay_hours", "Thời lượng tiếp sóng (giờ)", "Relay airtime (hours)", "hours",
       method="computed", kind="flow", fact="broadcast.relay_hours"),
    _d("broadcast.relay_hours.vov1", "Thời lượng tiếp sóng VOV1 (giờ)", "VOV1 relay airtime (hours)", "hours",
       method="computed", kind="flow", fact="broadcast.relay_hours.vov1"),
    _d("broadcast.relay_hours.vtv1", "Thời lượng tiếp sóng VTV1 (giờ)", "VTV1 relay airtime (hours)", "hours",
       method="computed", kind="flow", fact="broadcast.relay_hours.vtv1"),
    _d("broadcast.relay_hours.provincial", "Thời lượng tiếp sóng Đài PT-TH tỉnh (giờ)", "Provincial radio-TV relay airtime (hours)",
       "hours", method="computed", kind="flow", fact="broadcast.relay_hours.provincial"),
    _d("broadcast.relay_hours.local", "Thời lượng phát sóng chương trình địa phương (giờ)", "Local programme airtime (hours)",
       "hours", method="computed", kind="flow", fact="broadcast.relay_hours.local"),
    _d("broadcast.programmes", "Số chương trình phát thanh", "Radio programmes produced", "count",
       method="computed", kind="flow", fact="broadcast.programmes"),
    _d("broadcast.news_items", "Số tin", "News items produced", "count",
       method="computed", kind="flow", fact="broadcast.news_items"),
    _d("broadcast.articles", "Số bài", "Articles produced", "count",
       method="computed", kind="flow", fact="broadcast.articles"),
    _d("broadcast.programme_hours", "Thời lượng chương trình sản xuất (giờ)", "Hours of programmes produced", "hours",
       method="computed", kind="flow", fact="broadcast.programme_hours"),
    _d("broadcast.outreach_sessions", "Số buổi thông tin lưu động", "Mobile outreach sessions", "count",
       method="computed", kind="flow", fact="broadcast.outreach_sessions"),
    _d("broadcast.vehicle_trips", "Số lượt xe loa", "Loudspeaker vehicle trips", "count",
       method="computed", kind="flow", fact="broadcast.vehicle_trips"),
]  # fmt: skip

FORMULAS = [
    _share("radio.communes.ip_share", "Tỷ lệ xã có đài ứng dụng CNTT-VT", "Communes with an IP radio station",
           "100 * {radio.communes.ip} / {admin.communes}"),
    _share("radio.communes.working_share", "Tỷ lệ xã có đài hoạt động tốt", "Communes with a well-working station",
           "100 * {radio.communes.working} / {admin.communes}"),
    _d("radio.clusters.online", "Số cụm loa thu được tín hiệu", "Loudspeaker clusters online", "count",
       method="formula", rollup="ratio_of_sums", formula="{radio.clusters} - {radio.clusters.down}"),
    _share("radio.clusters.online_share", "Tỷ lệ cụm loa thu được tín hiệu", "Loudspeaker clusters online",
           "100 * ({radio.clusters} - {radio.clusters.down}) / {radio.clusters}"),
    _share("telecom.villages.fibre_share", "Tỷ lệ thôn có cáp quang", "Villages with fibre",
           "100 * {telecom.villages.fibre} / {admin.villages}"),
    _share("teams.commune.coverage", "Tỷ lệ xã có tổ CNS cộng đồng", "Communes with a digital team",
           "100 * {teams.commune} / {admin.communes}"),
    _share("teams.active_share", "Tỷ lệ tổ CNS cộng đồng hoạt động", "Digital teams active",
           "100 * ({teams.commune.active} + {teams.village.active}) / ({teams.commune} + {teams.village})"),
    _share("teams.village.coverage", "Tỷ lệ thôn có tổ CNS cộng đồng", "Villages with a digital team",
           "100 * {teams.village} / {admin.villages}"),
]  # fmt: skip

REPORTED = [
    _reported("telecom.fibre_km", "Chiều dài cáp quang (km)", "Fibre-optic cable (km)", "km"),
    _reported("telecom.bts_all_operators", "Số trạm BTS (mọi doanh nghiệp)", "Base stations, all operators", "count"),
    _reported("telecom.coverage_4g", "Tỷ lệ dân số được phủ sóng 4G", "Population covered by 4G", "%"),
    _reported("telecom.smartphone_subscriptions", "Số thuê bao điện thoại thông minh", "Smartphone subscriptions", "count"),
    _reported("telecom.smartphone_ratio", "Tỷ lệ thuê bao điện thoại thông minh", "Smartphones among mobile subscriptions", "%"),
    _reported("citizens.internet_users", "Tỷ lệ người dùng Internet", "Internet users", "%"),
    _reported("citizens.bank_account_15plus", "Tỷ lệ dân số từ 15 tuổi có tài khoản ngân hàng", "People 15+ with a bank account", "%"),
    _reported("citizens.health_records", "Tỷ lệ người dân có hồ sơ sức khỏe điện tử", "Citizens with an electronic health record", "%"),
    _reported("citizens.digital_skills_households", "Tỷ lệ hộ nông dân được tập huấn kỹ năng số", "Farm households trained in digital skills", "%"),
    _reported("economy.ecommerce_households", "Số hộ nông dân có tài khoản TMĐT", "Farm households active on e-commerce", "count"),
    _reported("economy.ecommerce_products", "Số sản phẩm trên sàn TMĐT", "Products listed on e-commerce marketplaces", "count"),
    _reported("economy.ecommerce_transactions", "Số giao dịch TMĐT", "E-commerce transactions", "count", kind="flow"),
    _reported("economy.e_invoice_businesses", "Tỷ lệ doanh nghiệp dùng hóa đơn điện tử", "Businesses using e-invoices", "%"),
    _reported("economy.cashless_markets", "Số chợ 4.0 không dùng tiền mặt", "Cashless '4.0' markets", "count"),
    _reported("egov.ioffice_accounts", "Số tài khoản iOffice", "iOffice accounts", "count"),
    _reported("egov.digital_signatures", "Số thiết bị chữ ký số", "Digital-signature devices", "count"),
    _reported("egov.email_accounts", "Số hộp thư công vụ", "Official e-mail accounts", "count"),
    _reported("egov.online_services_rate", "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "Procedures handled online", "%"),
    _reported("egov.online_services_level4", "Tỷ lệ DVCTT mức độ 4", "Online public services at level 4", "%"),
    _reported("egov.video_meetings", "Số cuộc họp trực tuyến", "Online meetings", "count", kind="flow"),
    _reported("egov.datacentre_vms", "Số máy chủ ảo tại TTTHDL", "Virtual machines in the data centre", "count"),
    _reported("egov.systems_secured", "Số hệ thống được phê duyệt cấp độ ATTT", "Systems with an approved security level", "count"),
    _reported("egov.datacentre_servers", "Số máy chủ vật lý tại TTTHDL", "Physical servers in the data centre", "count"),
    _reported("egov.datacentre_systems", "Số hệ thống vận hành tại TTTHDL", "Systems hosted in the data centre", "count"),
    _reported("egov.staff_trained_share", "Tỷ lệ CBCCVC được bồi dưỡng về CĐS", "Civil servants trained in digital transformation", "%"),
    _reported("training.grassroots_officials", "Số người được tập huấn thông tin cơ sở", "Grassroots information officers trained", "count", kind="flow"),
    _reported("citizens.digital_skills_households_trained", "Số hộ được đào tạo kỹ năng số", "Households trained in digital skills", "count"),
    _reported("teams.commune.reported", "Số tổ CNS cấp xã (báo cáo)", "Commune-level digital teams, as reported", "count"),
    _reported("teams.commune.members_reported", "Số thành viên tổ CNS cấp xã (báo cáo)", "Members of commune-level teams, as reported", "count"),
    _reported("teams.village.reported", "Số tổ CNS cấp thôn (báo cáo)", "Village-level digital teams, as reported", "count"),
    _reported("teams.village.members_reported", "Số thành viên tổ CNS cấp thôn (báo cáo)", "Members of village-level teams, as reported", "count"),
]  # fmt: skip

DTI = _d(
    "index.dti",
    "Chỉ số chuyển đổi số (DTI)",
    "Digital-transformation index (DTI)",
    "index",
    method="composite",
    rollup="average",
    components=[
        Component(code="radio.communes.ip_share", weight=0.20),
        Component(code="radio.communes.working_share", weight=0.10),
        Component(code="telecom.villages.fibre_share", weight=0.20),
        Component(code="teams.commune.coverage", weight=0.05),
        Component(code="teams.village.coverage", weight=0.15),
        Component(code="egov.online_services_rate", weight=0.15),
        Component(code="citizens.bank_account_15plus", weight=0.15),
    ],
    description=(
        "Weighted mean of its components (each 0..100) at the unit itself; a component without a value counts 0 "
        "and is named in the breakdown."
    ),
)


def province_indicators() -> list[IndicatorDefinition]:
    """The whole shipped set, in an order where every reference comes first."""
    return [*COMPUTED, *FORMULAS, *REPORTED, DTI]
