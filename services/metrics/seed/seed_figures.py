# ruff: noqa: E501 - one figure per line reads as a table; the Vietnamese quotations make some lines long
"""The figures the source documents give for the whole province that no registry or broadcast
fact carries, as reported values with their source document and date.

``tinhso seed --demo`` reports each one through the metrics service's own command
(``load_figures``): the source names the document (``[S00n]``, the files in
``../shared/seeds/`` listed in ``services/registry/seed/demo_assets.py``) and its date, the
comment quotes what the document says. Where two documents give different figures for the same
indicator and period, both are reported, the earlier document first: the value history keeps
both with their sources, and the later one is the current value. ``docs/services/metrics.md``
("The seeds' figures") lists the disagreements.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE = "06"

SOURCES: dict[str, str] = {
    "S000": "[S000] Hội nghị tổng kết 2022: tham luận Chợ Mới, Ba Bể, VNPT Bắc Kạn (26/12/2022)",
    "S001": "[S001] Sở TT&TT Bắc Kạn, tổng kết công tác năm 2022 (30/12/2022)",
    "S002": "[S002] Sở TT&TT Bắc Kạn, nhiệm kỳ 2015-2020 (18/03/2020)",
    "S003": "[S003] Sở TT&TT Bắc Kạn, giao ban quý III/2023 (29/10/2023)",
    "S004": "[S004] Nỗ lực chuyển đổi số ở tỉnh miền núi Bắc Kạn (22/03/2024)",
}
"""Each document in the order it was published: figures are reported in this order."""


@dataclass(frozen=True)
class SeedFigure:
    code: str
    period: str
    value: float
    source: str
    """A key of ``SOURCES``."""
    quote: str
    """What the document says, in its words."""


FIGURES: tuple[SeedFigure, ...] = (
    # Telecom infrastructure
    SeedFigure("telecom.fibre_km", "2020", 3531, "S002", "547 tuyến cáp quang dài 3.531 km"),
    SeedFigure("telecom.fibre_km", "2023", 7285, "S004", "Toàn tỉnh Bắc Kạn hiện có 7.285 km cáp quang"),
    SeedFigure("telecom.bts_all_operators", "2020", 641, "S002", "641 trạm thu, phát sóng thông tin di động"),
    SeedFigure(
        "telecom.bts_all_operators", "2023", 882, "S004", "882 trạm BTS (tăng so với năm 2022 là ... 210 trạm BTS)"
    ),
    SeedFigure("telecom.coverage_4g", "2023", 96, "S004", "Tỷ lệ dân số được phủ sóng 4G đạt 96%"),
    SeedFigure("citizens.internet_users", "2023", 96.4, "S004", "Tỷ lệ người dân sử dụng Internet đạt 96,4%"),
    SeedFigure(
        "telecom.smartphone_subscriptions",
        "2023",
        312695,
        "S004",
        "Số thuê bao sử dụng smartphone đạt 312.695 thuê bao",
    ),
    SeedFigure(
        "telecom.smartphone_ratio",
        "2023",
        84.1,
        "S004",
        "Tỷ lệ người dùng smartphone/người dùng điện thoại di động đạt 84,1%",
    ),
    # E-government
    SeedFigure("egov.digital_signatures", "2020", 4000, "S002", "đã cấp gần 4000 thiết bị (chữ ký số chuyên dùng)"),
    SeedFigure("egov.email_accounts", "2020", 7000, "S002", "đã cấp gần 7.000 tài khoản thư điện tử công vụ"),
    SeedFigure("egov.ioffice_accounts", "2022", 12000, "S000", "VNPT-iOffice ... đã có hơn 12.000 tài khoản"),
    SeedFigure(
        "egov.systems_secured",
        "2022",
        22,
        "S001",
        "phê duyệt được cấp độ ATTT cho 22 hệ thống thông tin (03 cấp độ 3, 19 cấp độ 2)",
    ),
    SeedFigure("egov.datacentre_servers", "2023", 5, "S004", "05 máy chủ vật lý"),
    SeedFigure("egov.datacentre_vms", "2023", 148, "S004", "148 máy chủ ảo hóa chạy song hành"),
    SeedFigure(
        "egov.datacentre_systems",
        "2023",
        27,
        "S004",
        "nâng số lượng hệ thống đang cài đặt, vận hành tại Trung tâm lên 27 hệ thống",
    ),
    SeedFigure("egov.video_meetings", "2023", 85, "S004", "hệ thống đã phục vụ 85 cuộc họp trực tuyến của tỉnh"),
    SeedFigure(
        "egov.staff_trained_share",
        "2023",
        50,
        "S004",
        "có trên 50% công chức, viên chức được bồi dưỡng, tập huấn về chuyển đổi số",
    ),
    SeedFigure(
        "training.grassroots_officials", "2023Q3", 1516, "S003", "11 lớp tập huấn ... với tổng số 1.516 người tham gia"
    ),
    # Citizens and the digital economy
    SeedFigure(
        "economy.ecommerce_households",
        "2022",
        76099,
        "S000",
        "76.099 hộ sản xuất nông nghiệp có tài khoản và hoạt động tích cực trên Sàn thương mại điện tử",
    ),
    SeedFigure(
        "economy.ecommerce_households",
        "2022",
        97360,
        "S001",
        "97.360 hộ sản xuất nông nghiệp có tài khoản và hoạt động tích cực trên sàn TMĐT Postmart và Voso",
    ),
    SeedFigure("economy.ecommerce_products", "2022", 863, "S000", "863 sản phẩm được đưa lên sàn thương mại điện tử"),
    SeedFigure("economy.ecommerce_transactions", "2022", 14093, "S000", "14.093 giao dịch trên Sàn thương mại điện tử"),
    SeedFigure(
        "economy.e_invoice_businesses",
        "2022",
        100,
        "S001",
        "Tỷ lệ doanh nghiệp trên địa bàn tỉnh sử dụng hóa đơn điện tử đạt 100%",
    ),
    SeedFigure("citizens.health_records", "2022", 100, "S001", "Tỷ lệ người dân có hồ sơ sức khỏe điện tử đạt 100%"),
    SeedFigure("citizens.bank_account_15plus", "2022", 50.72, "S001", "đạt 50,72/50% mục tiêu đặt ra năm 2022"),
    SeedFigure(
        "citizens.digital_skills_households_trained", "2022", 80030, "S000", "80.030 hộ được đào tạo kỹ năng số"
    ),
    SeedFigure(
        "citizens.digital_skills_households",
        "2022",
        95,
        "S001",
        "Tỷ lệ hộ sản xuất nông nghiệp được đào tạo kỹ năng số/hộ gia đình đạt 95%",
    ),
    # Community digital teams as the documents count them (the registry counts the teams it holds)
    SeedFigure(
        "teams.village.reported",
        "2022",
        1197,
        "S001",
        "1.197/1.292 thôn, bản thành lập Tổ công nghệ số cộng đồng cấp thôn",
    ),
    SeedFigure("teams.commune.reported", "2023", 108, "S004", "108/108 Tổ công nghệ số cộng đồng cấp xã"),
    SeedFigure("teams.commune.members_reported", "2023", 1014, "S004", "với 1.014 thành viên tham gia"),
    SeedFigure(
        "teams.village.reported",
        "2023",
        1292,
        "S004",
        "1.292/1.092 Tổ công nghệ số cộng đồng cấp thôn (read as one team in each of the 1,292 villages; 1.092 is taken for a misprint)",
    ),
    SeedFigure("teams.village.members_reported", "2023", 5689, "S004", "với 5.689 thành viên tham gia"),
)


def source_of(figure: SeedFigure) -> str:
    return SOURCES[figure.source]


def in_publication_order() -> list[SeedFigure]:
    """The figures in the order their documents were published, so a later document's figure
    is the current value where two disagree."""
    order = list(SOURCES)
    return sorted(FIGURES, key=lambda f: order.index(f.source))
