"""Article pages -> `Article`: `body.py` reads the text and metadata, `pubdate.py` the
publish time, `page.py` decodes and parses the page once for both.

Pure: bytes in, model objects out; no network, no clock, no database.
"""

from timeline.article.body import extract_article
from timeline.article.pubdate import extract_published

__all__ = ["extract_article", "extract_published"]
