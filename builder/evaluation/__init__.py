"""Evaluation commands: ``eval-search`` (and ``eval-similar``, see ``similar``).

For ``eval-search``, one job per module: ``labels`` reads the labelled set,
``metrics`` scores a ranking (shared with ``similar``), ``casepages`` knows
where a case lives in a built site and what text it shows, ``bm25`` /
``material`` / ``pagefind_anchor`` / ``site_api`` produce rankings,
``snapshot`` builds the sites into a temporary folder, ``serving`` and
``chromium`` serve and drive them, ``results`` and ``report`` score and print,
and ``run`` wires it all for the command line.
"""
