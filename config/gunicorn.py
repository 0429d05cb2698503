"""gunicorn's settings for Fasu: ``gunicorn -c config/gunicorn.py config.wsgi:application``.

One sync worker process per core. A list page or a search is almost all CPU (Python, then
a few milliseconds of PostgreSQL on the same machine), so more processes than cores only
share the cores among more requests at once, and threads share one interpreter: at
1,000,000 matters, ten clients on two cores, the common-name search (q=张伟) answered
(bench/matter_list.py, one run each, minutes apart):

- 4 sync workers: 79-88 requests a second, p95 137-166 ms;
- 2 processes of 4 threads (gthread): 98-105 a second, p95 161-171 ms;
- 2 sync workers: 106-113 a second, p95 102-105 ms.

A sync worker is busy until its response is sent, so put a buffering proxy in front
(nginx's defaults buffer request bodies and responses) and slow clients cost it nothing.

Each worker moves what it loaded at start (about 200,000 objects: modules, classes,
functions, the URLconf and its views) out of the garbage collector's sight
(``post_worker_init``): a full collection walked them all, about 100 ms once every few
hundred requests of the matter list, during which the worker answered nobody; frozen,
it takes 2 ms (measured with ``gc.callbacks`` over 300 list requests).

Each value can be set from the environment: ``WEB_CONCURRENCY`` (processes, gunicorn's own
name for it) and ``GUNICORN_TIMEOUT``; ``GUNICORN_CMD_ARGS`` overrides anything here
(``--bind 0.0.0.0:8000``).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)
worker_class = "sync"
# Seconds a request may take before its worker is restarted; an export streams within it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)


def post_worker_init(worker) -> None:
    """After the application is loaded in a worker: import the views too, then freeze what is there."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view now, not at the first request
    gc.freeze()
