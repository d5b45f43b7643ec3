"""``python -m builder.run_mkdocs build …``: MkDocs' command line for ``build``, ended without the interpreter's teardown.

After a build, freeing every object it made (the corpus, 10,000 pages, their HTML) took a
fifth of a second at 1,000 cases, which ``build`` waited for before putting the site in place.
Everything the build writes is closed by then (the site's files, the page cache in
on_post_build), so the process flushes its output and ends at once with MkDocs' exit status.
"""

from __future__ import annotations

import logging
import os
import sys

from mkdocs.__main__ import cli


def main() -> None:
    try:
        cli()  # click ends by raising SystemExit with the status
        status: object = 0
    except SystemExit as done:
        status = done.code
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)  # what the interpreter does with a SystemExit message
        status = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)


if __name__ == "__main__":
    main()
