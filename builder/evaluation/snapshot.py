"""Build the sites under test into a temporary folder, from one copy of the project.

One snapshot serves every engine, so all of them see the same cases even while
people keep editing the working tree; ``site/`` and ``mkdocs.yml`` of the
working tree are never touched. The Material anchor is the same project with
Material's own search plugin added in the copy's ``mkdocs.yml``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

# Left out of the copy: history, environments, build output, test and tool caches.
_SKIP = {".git", ".venv", "site", "tests", ".pytest_cache", ".hypothesis", ".ruff_cache", "__pycache__"}
# Linked, not copied: large caches a build may read (embedding models, node packages).
_LINK = {".cache", "node_modules"}
BASE_CONFIG = "mkdocs.base.yml"
MATERIAL_SEARCH = {"search": {"lang": "ja"}}


class BuildFailed(Exception):
    """A build of the snapshot failed; the message ends with the build's own output."""


def copy_project(root: Path, dest: Path) -> Path:
    """Copy the project at ``root`` to ``dest`` (which must not exist) and return ``dest``."""
    dest.mkdir(parents=True)
    for item in sorted(root.iterdir()):
        name = item.name
        if name in _SKIP or name.endswith(".egg-info") or name.startswith((".site.", ".git")):
            continue
        if name in _LINK:
            (dest / name).symlink_to(item.resolve(), target_is_directory=item.is_dir())
        elif item.is_dir():
            shutil.copytree(item, dest / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, dest / name)
    return dest


def build(root: Path, site_dir: Path) -> str:
    """``python -m builder build`` of ``root`` into ``site_dir``; returns its output, raises BuildFailed."""
    command = [sys.executable, "-m", "builder", "--root", str(root), "build", "--site-dir", str(site_dir)]
    done = subprocess.run(command, check=False, cwd=root, capture_output=True, text=True)
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not (site_dir / "index.html").is_file():
        tail = "\n".join(output.splitlines()[-30:])
        raise BuildFailed(f"building {root} into {site_dir} failed (exit {done.returncode}):\n{tail}")
    return output


def use_material_search(root: Path) -> None:
    """Make the copy's mkdocs.yml the same site plus Material's search plugin (lang: ja)."""
    from mkdocs.utils.yaml import yaml_load  # MkDocs' loader understands !ENV and INHERIT

    config = root / "mkdocs.yml"
    with config.open(encoding="utf-8") as file:
        plugins = yaml_load(file).get("plugins") or []
    if isinstance(plugins, dict):  # MkDocs also accepts a mapping of name -> options
        plugins = [{name: options} if options else name for name, options in plugins.items()]
    others = [p for p in plugins if (p if isinstance(p, str) else next(iter(p))) != "search"]
    config.rename(root / BASE_CONFIG)
    # INHERIT keeps every other setting; MkDocs replaces lists, so plugins are given in full.
    variant = {"INHERIT": BASE_CONFIG, "plugins": [MATERIAL_SEARCH, *others]}
    config.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False), encoding="utf-8")
