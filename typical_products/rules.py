"""The rules of the selection (bình chọn) of typical rural industrial products (sản phẩm công
nghiệp nông thôn tiêu biểu): the one place the portal states them. Models, services, forms,
pages, the demo and the README read them from here.

The law in force: Thông tư 26/2014/TT-BCT (28/8/2014, in force 21/10/2014; it replaced Thông tư
35/2010/TT-BCT, its Điều 25), amended by Thông tư 14/2018/TT-BCT (28/6/2018, in force
16/8/2018); consolidated text 16/VBHN-BCT (05/7/2018). No later circular replacing or amending
it was found (searched 03/12/2026). Each rule below names its article and source, and whether
it was read in a published text (``verified``) or is example data an administrator must check
(``verified=False``): the circular's full text could not be read, only excerpts and reports.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CIRCULAR = "26/2014/TT-BCT"
AMENDING_CIRCULAR = "14/2018/TT-BCT"


class Source(NamedTuple):
    article: str
    url: str
    verified: bool
    note: str = ""


SRC_TT26_TOC = (
    "https://hethongphapluat.com/thong-tu-26-2014-tt-bct-ve-viec-to-chuc-binh-chon-san-pham-"
    "cong-nghiep-nong-thon-tieu-bieu-do-bo-truong-bo-cong-thuong-ban-hanh/dieu-25"
)
SRC_VBHN = (
    "https://hethongphapluat.com/van-ban-hop-nhat-16-vbhn-bct-nam-2018-hop-nhat-thong-tu-quy-"
    "dinh-ve-to-chuc-binh-chon-san-pham-cong-nghiep-nong-thon-tieu-bieu-do-bo-truong-bo-cong-"
    "thuong-ban-hanh.html"
)
SRC_VALIDITY = "https://lawnet.vn/ngan-hang-phap-luat/tu-van-phap-luat/linh-vuc-khac/2-389508"
SRC_LEVELS = (
    "https://nongnghiep.vn/4-cap-binh-chon-san-pham-cong-nghiep-nong-thon-tieu-bieu-post130940.html"
)
SRC_GROUPS = (
    "https://hangthat.thuonghieucongluan.com.vn/110-san-pham-cong-nghiep-nong-thon-tieu-bieu-"
    "khu-vuc-phia-bac-nam-2020-a87836.html"
)
SRC_CRITERIA = "https://baobinhdinh.vn/viewer.aspx?mabb=144696&macm=5&macmp=5"
SRC_REGIONAL_DOSSIER = (
    "https://hangthat.thuonghieucongluan.com.vn/tiep-nhan-ho-so-tham-gia-binh-chon-san-pham-"
    "cong-nghiep-nong-thon-tieu-bieu-khu-vuc-mien-trung-tay-nguyen-nam-2024-a95793.html"
)
SRC_REGIONAL_PROCEDURE = "https://dichvucong.moit.gov.vn/VdxpTTHCOnlineDetail.aspx?DocId=24"
SRC_NATIONAL = (
    "https://chatluongvacuocsong.vn/binh-chon-san-pham-cong-nghiep-nong-thon-tieu-bieu-cap-"
    "quoc-gia-nam-2023-d104663.html"
)
SRC_PROVINCIAL = (
    "https://baoapbac.vn/kinh-te/201606/binh-chon-san-pham-cong-nghiep-nong-thon-tieu-bieu-"
    "cap-tinh-nam-2016-680734"
)


class Level(models.TextChoices):
    """Cấp bình chọn. The circular of 2014 had four levels (district, provincial, regional,
    national; SRC_LEVELS); since 1/7/2025 there is no district level, so the portal keeps the
    three the provinces and the ministry organise."""

    PROVINCIAL = "provincial", pgettext_lazy("selection level", "Provincial")
    REGIONAL = "regional", pgettext_lazy("selection level", "Regional")
    NATIONAL = "national", pgettext_lazy("selection level", "National")


LEVEL_SOURCE = Source("Thông tư 26/2014/TT-BCT (4 cấp bình chọn)", SRC_LEVELS, True)


class Region(models.TextChoices):
    """The three regions of the regional selection (khu vực phía Bắc, miền Trung - Tây
    Nguyên, phía Nam; SRC_LEVELS). Which provinces a regional round takes is the organiser's
    plan: the round lists them (REGION_DEFAULTS fills the list, example data)."""

    NORTH = "north", _("Northern region")
    CENTRAL = "central", _("Central region and Central Highlands")
    SOUTH = "south", _("Southern region")


# The socio-economic regions (reference.Region codes) whose provinces a new regional round
# lists by default. Example data: the circular's own list of provinces per region was not
# read; the Cục's plan for each round decides (e.g. Quảng Trị hosted the central round 2024).
REGION_DEFAULTS = {
    Region.NORTH: ("tdmnpb", "dbsh"),
    Region.CENTRAL: ("btbdhmt", "tn"),
    Region.SOUTH: ("dnb", "dbscl"),
}
REGION_DEFAULTS_VERIFIED = False


class Group(models.TextChoices):
    """Nhóm sản phẩm (Điều 5): the four groups every round reports by (SRC_GROUPS: the
    ministry's council reported the 2020 northern round by these four groups)."""

    HANDICRAFT = "handicraft", _("Handicrafts")
    FOOD = "food", _("Processed agricultural, forestry and aquatic products and foodstuffs")
    MACHINERY = "machinery", _("Equipment, machinery, tools and mechanical spare parts")
    OTHER = "other", _("Other products")


GROUP_SOURCE = Source("Điều 5 (phân nhóm sản phẩm)", SRC_GROUPS, True)


class Criterion(NamedTuple):
    code: str
    label: object
    max_points: int  # example: the points of each criterion were not read


# Tiêu chí bình chọn (Điều 7): the four criteria are verified (SRC_CRITERIA, SRC_PROVINCIAL);
# their points (out of 100) are EXAMPLE values: the annex with the scale was not read.
CRITERIA = (
    Criterion("market", _("Meeting the market and capacity to develop production"), 35),
    Criterion("technical", _("Economic, technical, social and environmental value"), 30),
    Criterion("culture", _("Cultural and aesthetic value"), 30),
    Criterion("other", _("Other criteria"), 5),
)
CRITERIA_SOURCE = Source(
    "Điều 7 (tiêu chí bình chọn)",
    SRC_CRITERIA,
    True,
    "Four criteria verified; points per criterion are example values (annex not read).",
)
CRITERIA_POINTS_VERIFIED = False
MAX_POINTS = sum(c.max_points for c in CRITERIA)

# The least total a product needs to be recognised at each level. EXAMPLE values: the
# circular's thresholds were not read (a provincial rule of 2014 asked 70 points of 100 for
# its provincial level, baoquangnam.vn); each round records the pass mark its plan sets,
# defaulting to these.
PASS_MARKS = {Level.PROVINCIAL: 50, Level.REGIONAL: 60, Level.NATIONAL: 70}
PASS_MARKS_VERIFIED = False

# Validity of a certificate (Điều 17 khoản 3, as amended by khoản 10 Điều 1 Thông tư
# 14/2018/TT-BCT): from the day it is issued to 31 December of the fourth year, the first year
# being the year it is issued. Verified (SRC_VALIDITY quotes the amended clause).
VALIDITY_YEARS = 4
VALIDITY_SOURCE = Source(
    "Điều 17 khoản 3 (sửa đổi bởi khoản 10 Điều 1 Thông tư 14/2018/TT-BCT)", SRC_VALIDITY, True
)


def certificate_valid_until(issued_on: dt.date) -> dt.date:
    """31 December of the fourth year, counting the year of issue as the first."""
    return dt.date(issued_on.year + VALIDITY_YEARS - 1, 12, 31)


# Which level feeds which: a regional entry needs a provincial certificate still valid
# (SRC_REGIONAL_DOSSIER: the Cục's call of 2024 asks for "giấy chứng nhận sản phẩm CNNT
# tiêu biểu cấp tỉnh còn giá trị"); a national entry is chosen among the regional ones
# (SRC_NATIONAL). The lower certificate must be the same establishment's.
QUALIFYING_LEVEL = {Level.REGIONAL: Level.PROVINCIAL, Level.NATIONAL: Level.REGIONAL}
QUALIFYING_SOURCES = {
    Level.REGIONAL: Source(
        "Hồ sơ đăng ký cấp khu vực (số điều chưa đối chiếu); công văn 413/CTĐP-TTCN (2024)",
        SRC_REGIONAL_DOSSIER,
        True,
    ),
    Level.NATIONAL: Source("Số điều chưa đối chiếu", SRC_NATIONAL, True),
}

# Who organises each level and who recognises and issues the certificate.
ORGANISERS = {
    Level.PROVINCIAL: (
        _("UBND tỉnh (Sở Công Thương as standing body of the council)"),
        Source("Điều 8, Điều 17", SRC_PROVINCIAL, True),
    ),
    Level.REGIONAL: (
        _("Bộ Công Thương (the Cục in charge of khuyến công)"),
        Source("Điều 17; thủ tục hành chính cấp khu vực", SRC_REGIONAL_PROCEDURE, True),
    ),
    Level.NATIONAL: (
        _("Bộ Công Thương (the Cục in charge of khuyến công)"),
        Source("Điều 17", SRC_NATIONAL, True),
    ),
}

# How many products a level may recognise: not found in the excerpts read. A round may record
# the limit its plan sets (``max_recognised``); none is loaded.
MAX_RECOGNISED_VERIFIED = False


def rules_table() -> list[dict]:
    """The rules as rows (README and the rounds page): what, value, article, source,
    verified."""
    rows = [
        {
            "rule": _("Levels"),
            "value": ", ".join(str(label) for label in Level.labels),
            **LEVEL_SOURCE._asdict(),
        },
        {
            "rule": _("Product groups"),
            "value": "; ".join(str(label) for label in Group.labels),
            **GROUP_SOURCE._asdict(),
        },
        {
            "rule": _("Criteria"),
            "value": "; ".join(f"{c.label} ({c.max_points})" for c in CRITERIA),
            **CRITERIA_SOURCE._asdict(),
            "verified": CRITERIA_POINTS_VERIFIED,
        },
        {
            "rule": _("Pass mark by level"),
            "value": ", ".join(f"{Level(k).label}: {v}" for k, v in PASS_MARKS.items()),
            "article": "Số điều chưa đối chiếu",
            "url": "",
            "verified": PASS_MARKS_VERIFIED,
            "note": "",
        },
        {
            "rule": _("Certificate validity"),
            "value": _("to 31 December of the fourth year (the year of issue is the first)"),
            **VALIDITY_SOURCE._asdict(),
        },
    ]
    for level, (organiser, source) in ORGANISERS.items():
        rows.append(
            {"rule": _("Organiser: %(level)s") % {"level": Level(level).label}, "value": organiser}
            | source._asdict()
        )
    for level, lower in QUALIFYING_LEVEL.items():
        rows.append(
            {
                "rule": _("Entry to the %(level)s level") % {"level": Level(level).label.lower()},
                "value": _("a valid %(lower)s certificate of the same establishment")
                % {"lower": Level(lower).label.lower()},
            }
            | QUALIFYING_SOURCES[level]._asdict()
        )
    return rows
