"""read_page: decoding as a browser does, <head> read alone, JSON-LD cut from the text, the
whole tree parsed only on demand and bounded on deep markup."""

from __future__ import annotations

import codecs
import time

import pytest

from timeline.article.page import read_page


@pytest.mark.parametrize(
    ("text", "encoding", "declared"),
    [
        ("Grüße aus München – „Zitat“", "cp1252", "windows-1252"),
        ("L'été à Besançon", "iso-8859-1", "iso-8859-1"),
        ("Новости дня", "koi8-r", "koi8-r"),
        ("東京のニュース", "shift_jis", "shift_jis"),
        ("Mañana en España", "utf-8", None),
    ],
)
def test_encodings_are_decoded(text: str, encoding: str, declared: str | None) -> None:
    meta = f'<meta charset="{declared}">' if declared else ""
    body = f"<html><head>{meta}<title>{text}</title></head><body></body>".encode(encoding)
    page = read_page(body)
    assert text in page.html
    assert page.head.css_first("title").text() == text


def test_utf8_bom_wins_over_a_wrong_declaration() -> None:
    body = codecs.BOM_UTF8 + '<meta charset="koi8-r"><p>Ärger</p>'.encode()
    assert "Ärger" in read_page(body).html


def test_head_is_read_alone_and_the_tree_only_on_demand() -> None:
    page = read_page(
        b'<html lang="fr-CA"><head><meta property="og:title" content="Titre"></head>'
        b"<body><p>Texte</p></body></html>"
    )
    assert page.meta == {"og:title": "Titre"}
    assert page.lang == "fr-CA"
    assert page._tree is None
    assert page.tree.css_first("p").text() == "Texte"


def test_json_ld_anywhere_in_the_page_without_parsing_it() -> None:
    page = read_page(
        b"<head></head><body><p>ld+json in prose</p>"
        b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}'
        b'</script><SCRIPT TYPE=\'application/ld+json\'><!-- [{"@type": "Person"},] -->'
        b"</SCRIPT>"
    )
    assert [item["@type"] for item in page.ld] == ["NewsArticle", "Person"]
    assert page._tree is None


def test_page_without_head_or_body_is_read_whole() -> None:
    page = read_page(b'<meta name="date" content="2025-03-07"><p>x</p>')
    assert page.meta == {"date": "2025-03-07"}


def test_deep_div_nesting_is_cut_before_parsing() -> None:
    body = ("<div>" * 60_000 + "<p>deep</p>").encode()
    start = time.monotonic()
    assert read_page(body).tree.body is not None
    assert time.monotonic() - start < 5


def test_twenty_megabytes_are_bounded() -> None:
    body = b"<html><body>" + b"<p>" + b"word " * 4_000_000 + b"</p>"
    start = time.monotonic()
    page = read_page(body)
    assert page.tree.body is not None
    assert len(page.html) <= 5_000_000
    assert time.monotonic() - start < 10


def test_utf8_page_is_read_from_its_bytes_and_decoded_on_demand() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ü"}</script>'
    body = f"<html><head>{ld}<title>Grüße</title></head><body><p>Straße</p></body>".encode()
    page = read_page(body)
    assert page.data is body  # no copy, no decode for the head and the JSON-LD
    assert page.head.css_first("title").text() == "Grüße"
    assert [item["headline"] for item in page.ld] == ["Ü"]
    assert page.tree.css_first("p").text() == "Straße"
    assert "Straße" in page.html


def test_invalid_utf8_is_replaced_the_same_way_in_text_and_tree() -> None:
    body = b"<html><head><title>caf\xe9</title></head><body><p>na\xefve \xff</p></body>"
    page = read_page(body)
    assert page.head.css_first("title").text() == "caf\ufffd"
    assert page.tree.css_first("p").text() == "na\ufffdve \ufffd"
    assert page.html == body.decode("utf-8", errors="replace")


def test_json_ld_is_read_lazily_and_completely() -> None:
    scripts = "".join(
        f'<script type="application/ld+json">{{"@type": "T{n}"}}</script>' for n in range(3)
    )
    page = read_page(f"<html><head>{scripts}</head><body></body>".encode())
    assert next(page.ld_items())["@type"] == "T0"
    assert [item["@type"] for item in page.ld] == ["T0", "T1", "T2"]
    assert [item["@type"] for item in page.ld_items()] == ["T0", "T1", "T2"]
