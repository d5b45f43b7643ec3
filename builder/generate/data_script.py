"""The one form of a data file the browser reads: ``window.DxNavi.assets.register(<name>,<JSON>);``.

A page served over http(s) fetches such a file and reads the JSON (assets.js ``data()``: no code
is run); a page opened from a folder, where fetch is not allowed, runs it as a script.
"""

from __future__ import annotations

import json
from typing import Any


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def register(name: str, value: Any) -> str:
    return register_json(name, compact_json(value))


def register_json(name: str, value: str) -> str:
    """``register`` of a value already written as JSON (or, for a script that is run, as JavaScript)."""
    return f"window.DxNavi.assets.register({compact_json(name)},{value});\n"
