"""Standard number parsing, canonical forms and search keys (registry.numbers)."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registry import numbers
from registry.numbers import (
    NumberError,
    StandardNumber,
    canonical,
    compact,
    industry_sectors,
    parse,
    partial_key,
    provinces,
    try_parse,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text, level, prefix, nature, org, sequence, year, canonical
# fmt: off
REAL_NUMBERS = [
    ("GB/T 19001-2016", "national", "GB/T", "recommended", None, "19001", 2016, "GB/T 19001-2016"),
    ("GB 4706.1-2005", "national", "GB", "mandatory", None, "4706.1", 2005, "GB 4706.1-2005"),
    ("GB/T 2828.1-2012", "national", "GB/T", "recommended", None, "2828.1", 2012,
     "GB/T 2828.1-2012"),
    ("GB 3100-93", "national", "GB", "mandatory", None, "3100", 1993, "GB 3100-1993"),
    ("GB/Z 20000.1-2002", "national", "GB/Z", "guidance", None, "20000.1", 2002,
     "GB/Z 20000.1-2002"),
    ("GB/T 4754-2017", "national", "GB/T", "recommended", None, "4754", 2017, "GB/T 4754-2017"),
    ("GB/T 2260-2007", "national", "GB/T", "recommended", None, "2260", 2007, "GB/T 2260-2007"),
    ("GB 32100-2015", "national", "GB", "mandatory", None, "32100", 2015, "GB 32100-2015"),
    ("GB 14287.1-2014", "national", "GB", "mandatory", None, "14287.1", 2014, "GB 14287.1-2014"),
    ("GB/T 1.1-2020", "national", "GB/T", "recommended", None, "1.1", 2020, "GB/T 1.1-2020"),
    ("JB/T 13368-2018", "industry", "JB/T", "recommended", "JB", "13368", 2018,
     "JB/T 13368-2018"),
    ("QC/T 29106-2014", "industry", "QC/T", "recommended", "QC", "29106", 2014,
     "QC/T 29106-2014"),
    ("HG/T 2521-2008", "industry", "HG/T", "recommended", "HG", "2521", 2008, "HG/T 2521-2008"),
    ("FZ/T 73020-2019", "industry", "FZ/T", "recommended", "FZ", "73020", 2019,
     "FZ/T 73020-2019"),
    ("QB/T 1333-2018", "industry", "QB/T", "recommended", "QB", "1333", 2018, "QB/T 1333-2018"),
    ("SJ/T 11363-2006", "industry", "SJ/T", "recommended", "SJ", "11363", 2006,
     "SJ/T 11363-2006"),
    ("YY/T 0287-2017", "industry", "YY/T", "recommended", "YY", "0287", 2017, "YY/T 0287-2017"),
    ("YY 0505-2012", "industry", "YY", "mandatory", "YY", "0505", 2012, "YY 0505-2012"),
    ("NY/T 391-2021", "industry", "NY/T", "recommended", "NY", "391", 2021, "NY/T 391-2021"),
    ("TB/T 3139-2021", "industry", "TB/T", "recommended", "TB", "3139", 2021, "TB/T 3139-2021"),
    ("JG/T 3064-1999", "industry", "JG/T", "recommended", "JG", "3064", 1999, "JG/T 3064-1999"),
    ("SN/T 1932.1-2007", "industry", "SN/T", "recommended", "SN", "1932.1", 2007,
     "SN/T 1932.1-2007"),
    ("DB/T 19-2020", "industry", "DB/T", "recommended", "DB", "19", 2020, "DB/T 19-2020"),
    ("DB33/T 2350-2021", "local", "DB33/T", "recommended", "33", "2350", 2021,
     "DB33/T 2350-2021"),
    ("DB3301/T 0262-2018", "local", "DB3301/T", "recommended", "3301", "0262", 2018,
     "DB3301/T 0262-2018"),
    ("DB33 1091-2016", "local", "DB33", "mandatory", "33", "1091", 2016, "DB33 1091-2016"),
    ("DB31/T 1234-2020", "local", "DB31/T", "recommended", "31", "1234", 2020,
     "DB31/T 1234-2020"),
    ("T/ZZB 2109-2021", "group", "T/ZZB", None, "ZZB", "2109", 2021, "T/ZZB 2109-2021"),
    ("T/GZAEPI 001-2018", "group", "T/GZAEPI", None, "GZAEPI", "001", 2018,
     "T/GZAEPI 001-2018"),
    ("T/CAS 115-2005", "group", "T/CAS", None, "CAS", "115", 2005, "T/CAS 115-2005"),
    ("T/CECS 10001-2019", "group", "T/CECS", None, "CECS", "10001", 2019, "T/CECS 10001-2019"),
    ("Q/ABC 001-2020", "enterprise", "Q/ABC", None, "ABC", "001", 2020, "Q/ABC 001-2020"),
    ("Q/ABC 001-2020/J", "enterprise", "Q/ABC", None, "ABC", "001", 2020, "Q/ABC 001-2020/J"),
    ("Q/91330683MA2BXXXX0X 001-2024", "enterprise", "Q/91330683MA2BXXXX0X", None,
     "91330683MA2BXXXX0X", "001", 2024, "Q/91330683MA2BXXXX0X 001-2024"),
    ("ISO 9001:2015", "international", "ISO", None, "ISO", "9001", 2015, "ISO 9001:2015"),
    ("IEC 60335-1:2010", "international", "IEC", None, "IEC", "60335-1", 2010,
     "IEC 60335-1:2010"),
    ("ISO/IEC 17025:2017", "international", "ISO/IEC", None, "ISO/IEC", "17025", 2017,
     "ISO/IEC 17025:2017"),
    ("EN 71-3:2019", "international", "EN", None, "EN", "71-3", 2019, "EN 71-3:2019"),
    ("ASTM D638-14", "international", "ASTM", None, "ASTM", "D638", 2014, "ASTM D638-14"),
    ("JIS B 1180:2014", "international", "JIS", None, "JIS", "B 1180", 2014, "JIS B 1180:2014"),
    ("DIN 912", "international", "DIN", None, "DIN", "912", None, "DIN 912"),
    ("BS EN 12345:2010", "international", "BS EN", None, "BS EN", "12345", 2010,
     "BS EN 12345:2010"),
    ("ISO 14001:2015", "international", "ISO", None, "ISO", "14001", 2015, "ISO 14001:2015"),
    ("ITU-T G.711", "international", "ITU-T", None, "ITU-T", "G.711", None, "ITU-T G.711"),
    ("ANSI Z535.1-2017", "international", "ANSI", None, "ANSI", "Z535.1", 2017,
     "ANSI Z535.1-2017"),
    ("IEEE 802.11-2020", "international", "IEEE", None, "IEEE", "802.11", 2020,
     "IEEE 802.11-2020"),
    ("EN ISO 13485:2016", "international", "EN ISO", None, "EN ISO", "13485", 2016,
     "EN ISO 13485:2016"),
]
# fmt: on

DOMAIN_VARIANTS = [
    "GB/T 19001-2016",
    "GB/T19001-2016",
    "GBT 19001-2016",
    "GBT19001-2016",
    "gb/t 19001—2016",
    "GB/T 19001–2016",
    "GB/T 19001－2016",
    "ＧＢ／Ｔ　１９００１－２０１６",
    "ｇｂ／ｔ１９００１—２０１６",
    "GB / T  19001 - 2016",
    "  GB/T 19001-2016\t",
    "GB T 19001-2016",
]


class TestParse:
    @pytest.mark.parametrize(
        ("text", "level", "prefix", "nature", "org", "sequence", "year", "canon"), REAL_NUMBERS
    )
    def test_real_numbers(
        self,
        text: str,
        level: str,
        prefix: str,
        nature: str | None,
        org: str | None,
        sequence: str,
        year: int | None,
        canon: str,
    ) -> None:
        n = parse(text)
        assert (n.level, n.prefix, n.nature, n.org, n.sequence, n.year) == (
            level,
            prefix,
            nature,
            org,
            sequence,
            year,
        )
        assert n.canonical == canon
        assert n.adopted == ()
        assert parse(canon) == n

    def test_table_is_large_enough(self) -> None:
        assert len(REAL_NUMBERS) >= 40

    @pytest.mark.parametrize("text", DOMAIN_VARIANTS)
    def test_domain_variants_share_keys(self, text: str) -> None:
        n = parse(text)
        assert n.canonical == "GB/T 19001-2016"
        assert n.key == "GBT19001-2016"
        assert n.base_key == "GBT19001"
        assert n.seq_key == "19001"

    def test_number_without_year(self) -> None:
        n = parse("GB/T 19001")
        assert n.year is None and n.year_text is None
        assert n.canonical == n.base == "GB/T 19001"
        assert n.key == n.base_key == "GBT19001"

    def test_two_digit_year_keeps_text(self) -> None:
        n = parse("GB 3100-93")
        assert (n.year, n.year_text) == (1993, "93")
        assert n == parse("GB 3100-1993")  # equality ignores the written form of the year
        assert n.key == "GB3100-1993"

    def test_asterisk_years_international(self) -> None:
        assert parse("ASTM D638-99").year == 1999
        assert parse("ASTM D638-2014").canonical == "ASTM D638-14"
        assert parse("ISO 9001-2015").canonical == "ISO 9001:2015"
        assert parse("DIN 912:83").year == 1983

    @pytest.mark.parametrize(
        ("text", "canon"),
        [
            ("JBT 13368-2018", "JB/T 13368-2018"),
            ("jbt13368—2018", "JB/T 13368-2018"),
            ("QCT 29106-2014", "QC/T 29106-2014"),
            ("GBZ 20000.1-2002", "GB/Z 20000.1-2002"),
            ("DB33T 2350-2021", "DB33/T 2350-2021"),
            ("db3301t0262-2018", "DB3301/T 0262-2018"),
            ("DB331091-2016", "DB33 1091-2016"),
            ("DB 33/T 2350-2021", "DB33/T 2350-2021"),
            ("DBT 19-2020", "DB/T 19-2020"),
            ("TZZB2109-2021", "T/ZZB 2109-2021"),
            ("t/zzb2109-2021", "T/ZZB 2109-2021"),
            ("Q/ABC001-2020", "Q/ABC 001-2020"),
            ("JISB1180:2014", "JIS B 1180:2014"),
            ("iso/iec 17025：2017", "ISO/IEC 17025:2017"),
            ("ISO IEC 17025:2017", "ISO/IEC 17025:2017"),
            ("BSEN12345:2010", "BS EN 12345:2010"),
            ("astm d638-14", "ASTM D638-14"),
            ("GB 4706。1-2005", "GB 4706.1-2005"),
            ("GB/T\u200b 19001-2016", "GB/T 19001-2016"),
            ("GB/T 19001 2016", "GB/T 19001-2016"),
        ],
    )
    def test_compact_and_odd_writings(self, text: str, canon: str) -> None:
        assert canonical(text) == canon

    def test_enterprise_suffixes(self) -> None:
        for s in ("J", "G", "Z"):
            n = parse(f"Q/ABC 001-2020/{s}")
            assert n.suffix == f"/{s}"
            assert n.base == "Q/ABC 001"
        assert parse("Q/ABC 001-2020").suffix is None

    def test_zhejiang_made(self) -> None:
        assert parse("T/ZZB 2109-2021").is_zhejiang_made
        assert not parse("T/CAS 115-2005").is_zhejiang_made
        assert not parse("GB/T 19001-2016").is_zhejiang_made

    def test_str_is_canonical(self) -> None:
        assert str(parse("gbt19001-2016")) == "GB/T 19001-2016"

    def test_try_parse(self) -> None:
        assert try_parse("GB/T 19001-2016") == parse("GB/T 19001-2016")
        assert try_parse("hello") is None
        assert try_parse("") is None


class TestDual:
    @pytest.mark.parametrize(
        "text",
        [
            "GB/T 19001-2016/ISO 9001:2015",
            "GB/T 19001-2016 / ISO 9001:2015",
            "ＧＢ／Ｔ １９００１－２０１６／ＩＳＯ ９００１：２０１５",
            "gbt19001-2016/iso9001:2015",
        ],
    )
    def test_dual_number(self, text: str) -> None:
        n = parse(text)
        assert n.canonical == "GB/T 19001-2016"
        assert n.dual == "GB/T 19001-2016/ISO 9001:2015"
        assert n.adopted == (parse("ISO 9001:2015"),)
        assert n.key == "GBT19001-2016"
        assert parse(n.dual) == n

    def test_dual_with_joint_publisher(self) -> None:
        n = parse("GB/T 27025-2019/ISO/IEC 17025:2017")
        assert n.adopted[0].prefix == "ISO/IEC"
        assert n.dual == "GB/T 27025-2019/ISO/IEC 17025:2017"

    def test_dual_with_part_number(self) -> None:
        n = parse("GB 4706.1-2005/IEC 60335-1:2004")
        assert n.adopted[0].canonical == "IEC 60335-1:2004"

    def test_dual_variants_include_international_keys(self) -> None:
        v = parse("GB/T 19001-2016/ISO 9001:2015").variants()
        assert {"GBT19001-2016", "GBT19001", "19001-2016", "19001"} <= set(v)
        assert {"ISO9001-2015", "ISO9001"} <= set(v)

    def test_dual_bad_adopted_year_is_reported(self) -> None:
        with pytest.raises(NumberError, match="年代号“20X5”无效"):
            parse("GB/T 19001-2016/ISO 9001:20x5")

    def test_no_dual_without_number(self) -> None:
        assert parse("ISO 9001:2015").dual == "ISO 9001:2015"


class TestKeys:
    def test_compact_examples(self) -> None:
        assert compact("gb/t 19001—2016") == "GBT19001-2016"
        assert compact("ISO 9001:2015") == "ISO9001-2015"
        assert compact("ＧＢ／Ｔ　１９００１－２０１６") == "GBT19001-2016"
        assert compact("  ") == ""

    def test_international_keys(self) -> None:
        n = parse("ISO 9001:2015")
        assert (n.key, n.base_key, n.seq_key) == ("ISO9001-2015", "ISO9001", "9001")
        assert parse("IEC 60335-1:2010").seq_key == "60335-1"
        assert parse("GB 4706.1-2005").seq_key == "4706.1"

    def test_variants_of_domain_example(self) -> None:
        v = parse("GB/T 19001-2016").variants()
        expected = {compact(t) for t in DOMAIN_VARIANTS} | {"19001-2016", "19001", "GBT19001"}
        assert set(v) == expected
        assert len(v) == len(set(v))

    def test_variants_cover_both_year_writings(self) -> None:
        assert {"GB3100-93", "GB3100-1993", "3100-93"} <= set(parse("GB 3100-1993").variants())
        assert {"ASTMD638-14", "ASTMD638-2014"} <= set(parse("ASTM D638-14").variants())

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("19001-2016", ("19001", 2016)),
            ("19001", ("19001", None)),
            ("4706.1-2005", ("4706.1", 2005)),
            ("１９００１—２０１６", ("19001", 2016)),
            ("3100-93", ("3100", 1993)),
            ("60335-1", ("60335-1", None)),
            ("60335-1:2010", ("60335-1", 2010)),
            ("GB/T 19001", None),
            ("hello", None),
            ("", None),
        ],
    )
    def test_partial_key(self, text: str, expected: tuple[str, int | None] | None) -> None:
        assert partial_key(text) == expected


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ("", "标准编号为空"),
            ("   ", "标准编号为空"),
            ("hello", "不是有效的标准编号"),
            ("GB/T", "缺少顺序号"),
            ("JB/T ", "缺少顺序号"),
            ("ISO", "缺少顺序号"),
            ("GB/T 19001-20x6", "年代号“20X6”无效"),
            ("GB/T 19001-20166", "年代号“20166”无效"),
            ("GB/T 19001-1949", "年代号“1949”无效"),
            ("GB 3100-95", "两位年代号"),
            ("GB/T 19001-", "缺少年代号"),
            ("ZZ/T 1-2020", "未知的行业标准代号“ZZ”"),
            ("XYZ 1-2020", "无法识别的标准代号“XYZ”"),
            ("DB99/T 1-2020", "未知的省级行政区划代码“99”"),
            ("DB3300/T 1-2020", "市级行政区划代码“3300”无效"),
            ("19001-2016", "缺少标准代号"),
            ("19001", "缺少标准代号"),
            ("GB/T 19001-2016 质量管理体系", "无法识别的内容"),
            ("GB 4706.-2005", "顺序号“4706.”无效"),
            ("T/", "缺少团体代号"),
            ("T/A 1-2020", "团体代号“A”无效"),
            ("Q/ABC 001-2020/X", "无法识别的内容“/X”"),
            ("GB/T 4706.1-2005/IEC 60335-1:2004, IDT", "无法识别的内容“, IDT”"),
            ("/ISO 9001", "不是有效的标准编号"),
            ("GB/T 1-2016//ISO 9001", "无法识别的内容"),
        ],
    )
    def test_messages(self, text: str, fragment: str) -> None:
        with pytest.raises(NumberError) as info:
            parse(text)
        assert fragment in info.value.message
        assert str(info.value) == info.value.message
        assert isinstance(info.value, ValueError)

    def test_distinct_messages(self) -> None:
        texts = ["", "hello", "GB/T", "GB/T 19001-20x6", "19001-2016", "ZZ/T 1-2020"]
        messages = set()
        for t in texts:
            with pytest.raises(NumberError) as info:
                parse(t)
            messages.add(info.value.message)
        assert len(messages) == len(texts)


class TestReferenceData:
    def test_industry_sectors(self) -> None:
        sectors = industry_sectors()
        assert len(sectors) == 76
        assert sectors["JB"] == "机械" and sectors["DB"] == "地震"

    def test_provinces(self) -> None:
        table = provinces()
        assert table["33"] == "浙江省"
        assert len(table) == 34

    def test_returned_tables_are_copies(self) -> None:
        industry_sectors().clear()
        assert "JB" in industry_sectors()

    def test_module_is_stdlib_only(self) -> None:
        tree = ast.parse(Path(numbers.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= set(sys.stdlib_module_names) | {"__future__"}


# ----- property tests -------------------------------------------------------------------

_SECTORS = sorted(industry_sectors())
_PROVINCES = sorted(provinces())
_NATURE = {"": "mandatory", "/T": "recommended", "/Z": "guidance"}

cn_sequences = st.builds(
    lambda head, parts: ".".join([head, *parts]),
    st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    st.lists(st.from_regex(r"[1-9][0-9]?", fullmatch=True), max_size=2),
)
cn_years = st.none() | st.integers(1950, 2100)


@st.composite
def chinese_numbers(draw: st.DrawFn) -> StandardNumber:
    level = draw(st.sampled_from(["national", "industry", "local", "group", "enterprise"]))
    nat = draw(st.sampled_from(sorted(_NATURE)))
    org: str | None
    suffix = None
    if level == "national":
        org, prefix = None, "GB" + nat
    elif level == "industry":
        org = draw(st.sampled_from(_SECTORS))
        if org == "DB" and not nat:
            nat = "/T"  # 'DB 19' would be a local number
        prefix = org + nat
    elif level == "local":
        org = draw(st.sampled_from(_PROVINCES))
        org += draw(st.none() | st.from_regex(r"(0[1-9]|[1-9][0-9])", fullmatch=True)) or ""
        prefix = f"DB{org}{nat}"
    else:
        size = (2, 12) if level == "group" else (1, 20)
        org = draw(st.from_regex(rf"[A-Z0-9]{{{size[0]},{size[1]}}}", fullmatch=True))
        prefix, nat = ("T/" if level == "group" else "Q/") + org, ""
        if level == "enterprise":
            suffix = draw(st.sampled_from([None, "/J", "/G", "/Z"]))
    year = draw(cn_years)
    nature = _NATURE[nat] if level in ("national", "industry", "local") else None
    return StandardNumber(
        level,
        prefix,
        nature,
        org,
        draw(cn_sequences),
        year,
        None if year is None else str(year),
        suffix,
    )


@st.composite
def international_numbers(draw: st.DrawFn) -> StandardNumber:
    prefix = draw(
        st.sampled_from(
            [
                "ISO",
                "IEC",
                "ISO/IEC",
                "EN",
                "BS EN",
                "EN ISO",
                "DIN",
                "JIS",
                "ASTM",
                "ISO/TS",
                "UL",
                "IEEE",
                "ANSI",
            ]
        )
    )
    digits = st.from_regex(r"[1-9][0-9]{0,5}", fullmatch=True)
    if prefix == "JIS":
        sequence = draw(st.sampled_from("ABCZ")) + " " + draw(digits)
    elif prefix == "ASTM":
        sequence = draw(st.sampled_from("ABDEF")) + draw(digits)
    else:
        parts = draw(st.lists(st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True), max_size=2))
        sequence = "-".join([draw(digits), *parts])
    year = draw(st.none() | st.integers(1950, 2049 if prefix == "ASTM" else 2100))
    return StandardNumber(
        "international",
        prefix,
        None,
        prefix,
        sequence,
        year,
        None if year is None else str(year),
        None,
    )


@st.composite
def dual_numbers(draw: st.DrawFn) -> StandardNumber:
    main = draw(chinese_numbers().filter(lambda n: n.level in ("national", "industry")))
    return replace(main, adopted=tuple(draw(st.lists(international_numbers(), max_size=2))))


any_number = chinese_numbers() | international_numbers() | dual_numbers()

_DASH_CHOICES = ["-", "—", "–", "－", "‐", "‑", "―", "−"]
_SPACE_CHOICES = [" ", "  ", "\u3000", "\t", " \u3000 "]


@st.composite
def mutated(draw: st.DrawFn, n: StandardNumber) -> str:
    """A messy but equivalent writing of n's canonical form."""
    text = n.canonical
    drop_slash = n.level in ("national", "industry", "local") and draw(st.booleans())
    out: list[str] = []
    for i, ch in enumerate(text):
        prev, nxt = text[i - 1 : i], text[i + 1 : i + 2]
        if ch == " ":
            choices = list(_SPACE_CHOICES)
            if not (prev.isdigit() and nxt.isdigit()):
                choices.append("")
            out.append(draw(st.sampled_from(choices)))
            continue
        if ch == "/" and drop_slash:
            continue
        if ch == "-":
            ch = draw(st.sampled_from(_DASH_CHOICES))
        elif draw(st.booleans()):
            ch = ch.lower()
        if "!" <= ch <= "~" and draw(st.booleans()):
            ch = chr(ord(ch) + 0xFEE0)  # full-width form
        pad = draw(st.sampled_from(["", " "])) if text[i] in "/-:" else ""
        out.append(pad + ch + pad)
    return "".join(out)


class TestProperties:
    @FUZZ
    @given(any_number)
    def test_canonical_round_trip(self, n: StandardNumber) -> None:
        assert parse(n.canonical) == replace(n, adopted=())
        assert parse(n.dual) == n
        assert parse(n.canonical).canonical == n.canonical

    @FUZZ
    @given(st.data())
    def test_messy_writings_parse_to_same_number(self, data: st.DataObject) -> None:
        n = data.draw(chinese_numbers() | international_numbers())
        text = data.draw(mutated(n))
        assert canonical(text) == n.canonical, text

    @FUZZ
    @given(any_number)
    def test_keys_are_compact(self, n: StandardNumber) -> None:
        variants = n.variants()
        assert n.key in variants and n.base_key in variants
        assert all(compact(v) == v for v in variants)
        assert len(variants) == len(set(variants))
        assert compact(n.canonical) == n.key

    @FUZZ
    @given(st.text())
    def test_compact_is_idempotent(self, text: str) -> None:
        once = compact(text)
        assert compact(once) == once

    @FUZZ
    @given(st.text())
    @example("/ISO 9001")  # found by fuzzing: empty main part before a dual '/'
    def test_parse_only_raises_number_error(self, text: str) -> None:
        try:
            n = parse(text)
        except NumberError as exc:
            assert exc.message
        else:
            assert canonical(n.canonical) == n.canonical
        partial_key(text)

    @FUZZ
    @given(st.text(alphabet="GBTQDZ/0123456789-.: ISOECAMJ\u3000—", max_size=30))
    def test_parse_number_like_text(self, text: str) -> None:
        n = try_parse(text)
        if n is not None:
            assert parse(n.dual) == n
