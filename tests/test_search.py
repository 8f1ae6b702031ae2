"""Site search without a browser: pinyin words, the t2s table, Pagefind, the built sample."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypinyin import lazy_pinyin

from generator.search import __main__ as search_command
from generator.search import characters
from generator.search import pagefind as search
from generator.site import search_fields
from tests.test_site_helpers import SAMPLE_CONTENT, Build

CASE = "cases/2025-xinjian-shequ-tingche/"



# Pinyin words.


def finds(words: list[str], query: str) -> bool:
    """Pagefind matches the start of indexed words."""
    return any(word.startswith(query) for word in words)


def test_pinyin_words_full_initials_and_runs_from_each_syllable() -> None:
    words = search_fields.pinyin_words("新建社区停车难")
    assert words[:4] == ["xinjianshequtingche", "xjsqtc", "jianshequtingchenan", "jsqtcn"]
    for query in ("tingche", "tc", "tingchenan", "xinjianshequ", "xjsq", "shequtingche",
                  "sqtc", "nan", "che"):
        assert finds(words, query), query
    for query in ("tingchea", "xinjiantingche", "ct"):
        assert not finds(words, query), query
    assert len(words) == len(set(words))
    # At most MAX_SYLLABLES syllables run together.
    longest = search_fields.pinyin_words("一二三四五六七八")
    assert "yiersansiwuliu" in longest
    assert "yiersansiwuliuqi" not in longest


def test_pinyin_words_get_heteronyms_right_and_skip_what_is_not_chinese() -> None:
    assert finds(search_fields.pinyin_words("重庆路"), "chongqing")
    assert "zhangzheshitang" in search_fields.pinyin_words("长者食堂")
    # ü typed as v, as on a phone keyboard
    assert finds(search_fields.pinyin_words("小区绿化"), "lvhua")
    words = search_fields.pinyin_words("3号楼 A座（二期）")
    assert finds(words, "haolou")
    assert all(re.fullmatch(r"[a-z]+", w) for w in words)
    assert search_fields.pinyin_words("ABC 123") == []
    # A single syllable gives no one-letter initials word.
    assert search_fields.pinyin_words("难") == ["nan"]


def test_syllables_read_word_by_word_are_those_of_the_whole_run() -> None:
    """Reading each segmented word on its own (cached) gives what pypinyin gives for the run."""
    runs = ["新建社区停车难", "银行行长重新开会", "重庆路长者食堂", "朝阳区朝阳门", "音乐广场乐山",
            "〇号楼", "中華人民共和國", "兀豈更車", "还款还是还原", "一二三四五六七八九十"]
    for record in sorted(SAMPLE_CONTENT.rglob("*.yml")):
        runs += search_fields._HAN.findall(record.read_text(encoding="utf-8"))
    assert len(runs) > 500
    for run in runs:
        assert search_fields.syllables_of(run) == lazy_pinyin(run, errors="ignore"), run


def test_pinyin_terms_start_each_word_with_the_mark() -> None:
    terms = search_fields.pinyin_terms("停车", "停车")
    assert terms == f"{search_fields.MARK}tingche {search_fields.MARK}tc {search_fields.MARK}che"
    assert search_fields.pinyin_terms() == ""


def test_summary_is_the_first_paragraph_cut() -> None:
    assert search_fields.summary("第一段\n续行\n\n第二段") == "第一段 续行"
    assert search_fields.summary(None) == ""
    long = search_fields.summary("字" * 200)
    assert len(long) == search_fields.SUMMARY_LENGTH and long.endswith("…")


# The traditional -> simplified table.


def test_t2s_pairs_take_the_first_candidate_and_common_targets_only() -> None:
    lines = [
        "# comment", "", "車\t车", "乾\t干 乾", "著\t著 着", "𠁞\t𠀾",
        "臺\t台", "㑯\t㑔",  # 㑔 is not in GB 2312
    ]
    assert characters.t2s_pairs(lines) == {"乾": "干", "臺": "台", "車": "车"}


def test_committed_t2s_table_is_small_and_sound() -> None:
    document = json.loads(characters.T2S_FILE.read_text(encoding="utf-8"))
    assert "OpenCC" in document["about"]
    pairs = document["pairs"]
    assert len(pairs) % 2 == 0
    table = dict(zip(pairs[::2], pairs[1::2], strict=True))
    for traditional, simplified in {"車": "车", "後": "后", "長": "长", "臺": "台", "鄉": "乡",
                                    "議": "议", "區": "区", "灣": "湾"}.items():
        assert table[traditional] == simplified
    assert all(t != s for t, s in table.items())
    assert characters.T2S_FILE.stat().st_size < 20_000


def test_t2s_command_regenerates_the_table(tmp_path: Path) -> None:
    source = tmp_path / "TSCharacters.txt"
    source.write_text("車\t车\n後\t后\n", encoding="utf-8")
    out = tmp_path / "t2s.json"
    assert search_command.main(["t2s", str(source), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["pairs"] == "後后車车"


# Running Pagefind.


PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav>导航文字</nav><main {body}><h1>{title}</h1><p>{text}</p>
<div hidden><p>{pinyin}</p>
<data data-pagefind-filter="platform[value]" value="甲（某地）"></data></div>
</main></body></html>"""


def test_build_index_indexes_marked_pages_only_and_drops_unused_ui(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name, body in (("a", "data-pagefind-body"), ("b", "data-pagefind-body"), ("c", "")):
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text(PAGE.format(
            title=f"停车问题{name}", body=body, text="居民反映停车难",
            pinyin=search_fields.pinyin_terms(f"停车问题{name}")), encoding="utf-8")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "stale.txt").write_text("old bundle", encoding="utf-8")
    result = search.build_index(site)
    assert result.pages == 2
    assert result.words > 0
    assert result.filters == 1
    assert result.bundle_dir == site / "pagefind"
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "pagefind" / "stale.txt").exists()
    for name in search.UNUSED_BUNDLE_FILES:
        assert not (site / "pagefind" / name).exists()
    assert 0 < result.bytes < 2_000_000


def test_build_index_failure_is_a_chinese_message(tmp_path: Path) -> None:
    with pytest.raises(search.SearchIndexError, match="Pagefind"):
        search.build_index(tmp_path / "missing", binary=Path("/bin/false"))


def test_a_failed_run_in_slices_is_a_chinese_message_and_leaves_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name in ("a", "b", "c"):
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text(PAGE.format(
            title=name, body="data-pagefind-body", text="居民反映停车难", pinyin=""),
            encoding="utf-8")
    with pytest.raises(search.SearchIndexError, match="建立搜索索引失败"):
        search.build_index(site, binary=Path("/bin/false"), slice_pages=1)
    assert sorted(p.name for p in site.iterdir()) == ["a", "b", "c"]


# The built sample site.


def test_case_pages_carry_the_index_fields(site: Build) -> None:
    html = site.html(CASE)
    assert html.count("data-pagefind-body") == 1
    assert f"{search_fields.MARK}tingche " in html
    assert '<span data-pagefind-meta="status">' in html
    assert '<span data-pagefind-sort="date">2025-09-11</span>' in html
    platforms = re.findall(r'<span data-pagefind-filter="platform">([^<]+)</span>', html)
    assert platforms == [
        "新建社区议事厅（山西省太原市迎泽区迎泽街道新建社区）",
        "欢迎来协商·迎泽街道（山西省太原市迎泽区迎泽街道）",
        "欢迎来协商（山西省太原市迎泽区）",
        "有事来商量（山西省太原市）",
    ]
    for name in ("year", "category", "status", "form", "source"):
        assert f'<span data-pagefind-filter="{name}">' in html
    # Hidden from readers: inside an element with the hidden attribute; meta and filter
    # values are left out of the indexed words.
    assert re.search(r'<div class="xs-search-fields" hidden>\s*<p data-pagefind-weight', html)
    assert re.search(r'<div data-pagefind-ignore>\s*<span data-pagefind-meta="kind">', html)


def test_only_case_and_platform_pages_are_indexed(site: Build) -> None:
    indexed = sorted(
        path.parent.relative_to(site.site).as_posix()
        for path in site.site.rglob("index.html")
        if "data-pagefind-body" in path.read_text(encoding="utf-8")
    )
    assert indexed
    assert all(re.fullmatch(r"(cases|platforms)/[a-z0-9-]+", url) for url in indexed), indexed
    assert "platforms/yingze" in indexed
    # Listings, the home page and continued platform pages are not.
    for url in ("", "platforms/", "categories/", "years/", "follow-up/", "search/"):
        assert "data-pagefind-body" not in site.html(url), url
    # On a platform page its case list, sub-platforms and figures are left out.
    html = site.html("platforms/yingze/")
    assert html.count("data-pagefind-ignore") >= 3


def test_the_build_writes_the_search_bundle(site: Build) -> None:
    bundle = site.site / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("wasm.*.pagefind"))
    assert list((bundle / "fragment").iterdir())
    assert not (bundle / "pagefind-ui.js").exists()
    assert "搜索索引" in site.output
    assert (site.site / "assets" / "search" / "t2s.json").is_file()


def test_every_page_has_the_header_search_form(site: Build) -> None:
    for url, action in (("", "search/"), (CASE, "../../search/"), ("platforms/", "../search/")):
        page = site.page(url)
        forms = page.find("form", class_="xs-header-search")
        assert len(forms) == 1, url
        assert forms[0].attrs["action"] == action
        assert forms[0].attrs["role"] == "search"
        assert page.find("input", name="q", id="xs-header-q")
        assert page.find("label", for_="xs-header-q")


def test_search_page_is_a_labelled_form_with_filters(site: Build) -> None:
    page = site.page("search/")
    assert page.title.startswith("搜索")
    assert page.find("input", id="xs-search-q", name="q", type="search")
    for name in ("platform", "year", "category", "status", "form", "source", "sort"):
        select = page.find("select", id=f"xs-search-{name}", name=name)
        assert select, name
        assert page.find("label", for_=f"xs-search-{name}"), name
    live = page.find("p", id="xs-search-live")[0]
    assert live.attrs["aria-live"] == "polite"
    assert page.find("script", type="module", src="../assets/search/search.js")


def test_a_hand_written_page_may_not_take_the_search_address() -> None:
    from generator.site import render

    assert {"search", "pagefind"} <= render.RESERVED_PAGES


def test_search_can_be_switched_off(tmp_path: Path) -> None:
    from tests.test_site_helpers import SAMPLE_AS_OF, SAMPLE_CONTENT, build_site

    build = build_site(tmp_path, SAMPLE_CONTENT, SAMPLE_AS_OF, search=False)
    assert not (build.site / "pagefind").exists()
    assert (build.site / "search" / "index.html").is_file()
