"""bench/pages.py: the parts of a page it measures are the bytes of those elements."""

from __future__ import annotations

from bench.pages import part_sizes

PAGE = (
    '<html><head><meta charset="utf-8"><title>案例</title></head><body>'
    '<header class="md-header"><form>搜索</form></header>'
    '<div class="xs-page xs-page--case"><p>背景</p>'
    '<article class="xs-notice"><svg class="xs-qr"><path d="M0 0"/></svg></article></div>'
    "<script>var a = 1;</script><script>b()</script></body></html>"
)


def test_each_part_is_the_bytes_of_its_element_with_its_tags() -> None:
    sizes = part_sizes(PAGE.encode("utf-8"))
    assert sizes["<head>"] == len('<head><meta charset="utf-8"><title>案例</title></head>'.encode())
    assert sizes["header (search, 长辈模式)"] == len(
        '<header class="md-header"><form>搜索</form></header>'.encode())
    assert sizes["    its QR code"] == len('<svg class="xs-qr"><path d="M0 0"/></svg>')
    assert sizes["scripts"] == len("<script>var a = 1;</script><script>b()</script>")
    assert sizes["navigation"] == 0
    assert sizes["the record"] > sizes["  printed notice (公示)"] > sizes["    its QR code"]
