"""What the theme's templates show besides pages: every page's footer and the 404 page.

The plugin puts this into ``config.extra`` (as ``dxnavi_site``); the templates in
site_overrides/ only lay it out. URLs are relative to the site root: the
templates pass them through MkDocs' ``url`` filter, which makes them relative
to each page (so they work from a folder) and absolute on the 404 page.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from builder.generate import paths
from builder.generate.home import ENTRY_POINTS, SEARCH_PLACEHOLDER

CREDIT = "事例は総務省ほか、各出典資料から出典の言葉のまま書き写しています"
LICENCE = "サイトのソースコードは MIT ライセンス、事例・資料の文章の著作権は各出典の発行者にあります"
_JST = timezone(timedelta(hours=9))  # the readers' date, not UTC's


def _link(title: str, path: str, use_directory_urls: bool) -> dict[str, str]:
    return {"title": title, "url": paths.url(path, use_directory_urls)}


def template_data(build_time: float, use_directory_urls: bool) -> dict[str, Any]:
    built = datetime.fromtimestamp(build_time, _JST)
    return {
        "footer": [
            {"term": "出典", "text": CREDIT, "links": [_link("出典資料の一覧", paths.index(paths.SOURCES), use_directory_urls)]},
            {"term": "ライセンス", "text": LICENCE, "links": []},
            {
                "term": "データ",
                "text": "すべての事例の項目、CSV と JSON",
                "links": [_link(paths.CASES_ZIP, paths.CASES_ZIP, use_directory_urls)],
            },
            {"term": "作成日", "text": f"{built.year}年{built.month}月{built.day}日", "datetime": built.date().isoformat(), "links": []},
        ],
        "search": {"url": paths.url(paths.SEARCH, use_directory_urls), "placeholder": SEARCH_PLACEHOLDER},
        "home": _link("ホーム", paths.HOME, use_directory_urls),
        "entry_points": [_link(title, paths.index(folder), use_directory_urls) for folder, title, _ in ENTRY_POINTS],
    }
