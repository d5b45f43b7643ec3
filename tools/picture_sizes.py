"""What the map and the charts add to each page, in bytes (raw and gzip). Prints numbers; asserts nothing.

Usage: python tools/picture_sizes.py [SITE_DIR]   (default: site/, made by make build)
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIGURE = re.compile(r'<figure class="dxn-figure.*?</figure>', re.DOTALL)
STYLESHEET = "assets/stylesheets/dxnavi-figures.css"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def main(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    with_pictures = [(p, p.read_bytes()) for p in pages]
    with_pictures = [(p, html) for p, html in with_pictures if b"dxn-figure" in html]
    css = (site / STYLESHEET).read_bytes()
    print(f"{'page':<40} {'page KB':>8} {'page gz KB':>11} {'maps':>5} {'map gz KB':>10} {'charts':>7} {'charts gz KB':>13}")
    for path, html in with_pictures:
        text = html.decode("utf-8")
        figures = FIGURE.findall(text)
        maps = [f for f in figures if "dxn-map" in f.split(">", 1)[0]]
        charts = [f for f in figures if f not in maps]
        map_gz = gz("".join(maps).encode()) / 1e3 if maps else 0
        chart_gz = gz("".join(charts).encode()) / 1e3 if charts else 0
        name = str(path.relative_to(site))
        sizes = f"{len(html) / 1e3:>8.1f} {gz(html) / 1e3:>11.1f}"
        print(f"{name:<40} {sizes} {len(maps):>5} {map_gz:>10.1f} {len(charts):>7} {chart_gz:>13.1f}")
    print(f"{len(with_pictures)} of {len(pages)} pages have a picture; the others do not link {STYLESHEET}"
          f" ({len(css) / 1e3:.1f} KB, {gz(css) / 1e3:.1f} KB gzip, loaded once by the pages with pictures).")
    stray = [p for p in pages if b"dxn-figure" not in p.read_bytes() and STYLESHEET.encode() in p.read_bytes()]
    if stray:
        print("pages without a picture that still link the stylesheet:", *stray)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "site")
