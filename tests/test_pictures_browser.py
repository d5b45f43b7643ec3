"""The map and the charts in a real (headless) Chromium: what they look like, keyboard and mouse
navigation (also from a folder, file://), and axe-core's accessibility rules.

Screenshots go to tests/artifacts/screens/pictures-*.png for a person to look at.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from browser_support import AXE, browser, real_base, real_site  # noqa: F401  (fixtures, shared by the browser tests)
from conftest import REPO

pytestmark = pytest.mark.browser

SCREENS = REPO / "tests" / "artifacts" / "screens"
WIDTHS = {1280: 900, 390: 844}

# What to photograph: (name, page, element or None for the whole page).
SHOTS = [
    ("home-map", "index.html", "#dxn-fig-map"),
    ("keyword-map", "keywords/ojt.html", "#dxn-fig-keyword-map"),
    ("statistics", "statistics.html", None),
]
PICTURE_PAGES = [
    "index.html", "statistics.html", "prefectures/index.html", "keywords/ojt.html", "categories/index.html", "sources/index.html",
]  # fmt: skip

# Mean and variance of the grey level of a PNG (drawn on a canvas, so no imaging library is needed).
PIXELS = """async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  let sum = 0, squares = 0, n = 0;
  for (let i = 0; i < data.length; i += 16) {
    const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += grey; squares += grey * grey; n++;
  }
  const mean = sum / n;
  return {width: img.width, height: img.height, mean, variance: squares / n - mean * mean};
}"""


def _open(browser, url: str, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": WIDTHS[width]})
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "file://", "data:")) else external.append(r.url))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, external


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_show_the_pictures(browser, real_base: str, width: int) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    for name, path, selector in SHOTS:
        page, external = _open(browser, real_base + path, width)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, f"{path} scrolls sideways at {width}px"
        target = page.locator(selector) if selector else page
        png = target.screenshot(path=str(SCREENS / f"pictures-{name}-{width}.png"), **({} if selector else {"full_page": True}))
        stats = page.evaluate(PIXELS, "data:image/png;base64," + base64.b64encode(png).decode())
        if selector:
            box = page.locator(selector).bounding_box()
            assert box and abs(stats["width"] - round(box["width"])) <= 1 and abs(stats["height"] - round(box["height"])) <= 1
            # Shown large enough to use: the map fills a phone's width, and is not a thumbnail on a desktop.
            svg = page.locator(f"{selector} svg.dxn-map__svg").bounding_box()
            assert svg and svg["width"] >= min(width - 60, 260 if name == "keyword-map" else 480), (name, width, svg)
        else:
            assert stats["width"] == width and stats["height"] > 2000
        assert stats["variance"] > 200, f"{name} at {width}px looks blank: {stats}"
        assert external == []
        page.close()


def test_enter_on_a_prefecture_opens_its_page_from_a_folder(browser, real_site: Path) -> None:
    """Opened from a folder (file://): focus a prefecture with the keyboard and press Enter."""
    page, external = _open(browser, (real_site / "index.html").as_uri())
    kochi = page.locator('#dxn-fig-map a[data-code="39"]')
    assert kochi.get_attribute("aria-label") == "高知県: 2件"
    page.locator("#dxn-fig-map figcaption a").focus()  # the link just before the map
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('data-code')") == "39":
            break
    else:
        pytest.fail("Tab never reached 高知県")
    fill = kochi.locator("path").evaluate("p => getComputedStyle(p).fill")
    assert fill == "rgb(255, 202, 40)", "a focused prefecture is highlighted"
    page.keyboard.press("Enter")
    page.wait_for_url("**/prefectures/kochi.html")
    assert page.locator("h1").first.inner_text().startswith("高知県")
    assert external == []
    page.close()


def test_click_on_a_map_and_a_bar_opens_the_listing(browser, real_base: str) -> None:
    page, _ = _open(browser, real_base + "keywords/ojt.html")
    page.locator('#dxn-fig-keyword-map a[data-code="08"]').click()
    page.wait_for_url("**/prefectures/ibaraki.html")
    page.goto(real_base + "statistics.html")
    bar = page.locator("#dxn-fig-population a.dxn-chart__row").first
    label, count = bar.locator(".dxn-chart__label").inner_text(), int(bar.get_attribute("data-count"))
    bar.click()
    page.wait_for_url("**/population/*.html")
    assert page.locator("h1").first.inner_text().startswith(label)
    assert f"事例（{count} 件）" in page.inner_text("article")
    page.close()


def test_axe_finds_no_violations_in_the_pictures(browser, real_base: str) -> None:
    """Every axe-core rule, run on the pictures of each page with one (in their page, so contrast
    is measured against the real background). The rest of the page is the theme's and other stages'."""
    if not AXE.is_file():
        pytest.skip("node_modules/axe-core is not installed (npm ci installs it)")
    found = {}
    for path in PICTURE_PAGES:
        for width in WIDTHS:
            page, _ = _open(browser, real_base + path, width)
            page.add_script_tag(path=str(AXE))
            assert page.locator(".dxn-figure").count() > 0, path
            result = page.evaluate(
                "async () => (await axe.run({include: [['.dxn-figure']]}, {resultTypes: ['violations']})).violations"
            )
            violations = [f"{v['id']}: {[n['target'] for n in v['nodes']][:5]}" for v in result]
            if violations:
                found[f"{path} @{width}"] = violations
            page.close()
    assert found == {}
