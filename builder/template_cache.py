"""Jinja's compiled templates, kept between builds: compiling Material's templates took 0.5 s a build (issue 12).

Jinja finds an entry by the template's name and file and uses it only if the template's
source hashes the same. What else shapes the compiled code (the versions, the extensions,
the syntax options) names the folder, so another setup never reads these entries.
Compiled code runs when it is loaded, so it is kept in the user's own cache folder, never
in the project's .cache/, where a pull request could put a file.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

import jinja2

# The environment's settings that change how a template compiles.
TEMPLATE_OPTIONS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "autoescape",
)  # fmt: skip


def template_cache(env: jinja2.Environment) -> jinja2.BytecodeCache:
    """A bytecode cache for ``env``'s templates (one that keeps nothing where the folder cannot be made)."""
    options = [metadata.version(name) for name in ("jinja2", "mkdocs")] + sorted(env.extensions)
    options += [getattr(value, "__qualname__", repr(value)) for value in (getattr(env, name) for name in TEMPLATE_OPTIONS)]
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = home / "dxnavi" / "templates" / hashlib.sha256("\0".join(options).encode()).hexdigest()[:16]
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return _NoTemplateCache()  # a read-only home costs speed, never the build
    return jinja2.FileSystemBytecodeCache(str(folder))


class _NoTemplateCache(jinja2.BytecodeCache):
    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        pass
