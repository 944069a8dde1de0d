"""The recipients of a central allocation: the 31 provincial-level regions (GB/T 2260) and the
regions that report and receive central funds on their own — the 5 计划单列市 and the 新疆生产建设兵团
(the 37 top-level reporting regions of :mod:`anju.collect.regions`).

A central allocation names these regions only; their trees (prefectures and counties) are loaded only
when a province passes its funds on (:mod:`anju.collect.regions`).
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "140000": "山西省",
    "150000": "内蒙古自治区",
    "210000": "辽宁省",
    "220000": "吉林省",
    "230000": "黑龙江省",
    "310000": "上海市",
    "320000": "江苏省",
    "330000": "浙江省",
    "340000": "安徽省",
    "350000": "福建省",
    "360000": "江西省",
    "370000": "山东省",
    "410000": "河南省",
    "420000": "湖北省",
    "430000": "湖南省",
    "440000": "广东省",
    "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市",
    "510000": "四川省",
    "520000": "贵州省",
    "530000": "云南省",
    "540000": "西藏自治区",
    "610000": "陕西省",
    "620000": "甘肃省",
    "630000": "青海省",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
}

SEPARATE: dict[str, str] = {
    "210200": "大连市",
    "330200": "宁波市",
    "350200": "厦门市",
    "370200": "青岛市",
    "440300": "深圳市",
    "660000": "新疆生产建设兵团",
}
"""计划单列市 and 兵团: allocated by the centre on their own, beside their province."""

TOP_LEVEL: dict[str, str] = dict(sorted((PROVINCES | SEPARATE).items()))
"""Every region a central allocation may name (37)."""
