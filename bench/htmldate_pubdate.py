"""htmldate behind the pubdate benchmark's contract, so `bench/pubdate.py` can time it as a
whole command beside `timeline pubdate`.

    .venv/bin/python bench/htmldate_pubdate.py [--fast] --input IN.jsonl --output OUT.jsonl

Extensive mode (htmldate's default, `extensive_search=True`) unless `--fast`; both ask for the
original date, not the last update. A page htmldate cannot read gets null, never a crash.
htmldate is a benchmark-only peer: timeline/ never imports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, required=True, metavar="IN.jsonl")
    parser.add_argument("--output", type=Path, required=True, metavar="OUT.jsonl")
    parser.add_argument("--fast", action="store_true", help="extensive_search=False")
    args = parser.parse_args(argv)

    import logging

    from htmldate import find_date

    logging.disable(logging.CRITICAL)  # htmldate logs every page it cannot date
    base = args.input.resolve().parent
    with args.input.open(encoding="utf-8") as src, args.output.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            page = json.loads(line)
            published = None
            try:
                html = (base / page["file"]).read_bytes()
                published = find_date(
                    html,
                    url=page.get("url") or None,
                    extensive_search=not args.fast,
                    original_date=True,
                )
            except OSError as exc:
                print(f"htmldate: {page['file']}: cannot read: {exc.strerror}", file=sys.stderr)
            except Exception as exc:  # a peer's bug on one page is null, as the contract asks
                print(f"htmldate: {page['file']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            out.write(json.dumps({"id": page["id"], "published": published}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
