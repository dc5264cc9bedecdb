"""Article pages -> `Article`: `body.py` reads the text and metadata, `pubdate.py` the
publish time, `page.py` decodes and parses the page once for both.

Pure: bytes in, model objects out; no network, no clock, no database.

`timeline pubdate` needs only the publish time, so this package imports a module when one
of its names is first used (PEP 562), as `timeline.store` does: the date path does not pay
for body.py, the model and the text stage (issue 5: throughput, start-up included).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from timeline.article.body import extract_article
    from timeline.article.pubdate import extract_published

__all__ = ["extract_article", "extract_published"]


def __getattr__(name: str) -> Any:
    if name == "extract_article":
        from timeline.article import body

        return body.extract_article
    if name == "extract_published":
        from timeline.article import pubdate

        return pubdate.extract_published
    raise AttributeError(f"module 'timeline.article' has no attribute {name!r}")
