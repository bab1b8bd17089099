"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`. Every knob from the environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '4000')}")
# Workers share nothing but PostgreSQL and Redis; without REDIS_URL run one worker
# (the local-memory cache is per process).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (a guard against slow leaks); 0: never.
# Benchmarks turn it off: a worker's restart in the middle of a round is a stall of a
# second or so that lands on whichever endpoint happens to be measured.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# nginx on the same host sets X-Forwarded-Proto; trust it only from loopback.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "kopilka"
# gunicorn 25+ opens a control socket for gunicornc, by default $XDG_RUNTIME_DIR/gunicorn.ctl
# or ~/.gunicorn/gunicorn.ctl: one path for every gunicorn of the user, so a second
# instance (another checkout, a second site) takes it over from the first. Off unless
# GUNICORN_CONTROL_SOCKET names a path of this instance's own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker: object) -> None:
    # Load the text parser's dictionaries now rather than in the first request, then
    # keep everything built so far (it lives as long as the worker) out of the garbage
    # collector's full scans, which otherwise pause a worker for tens of milliseconds
    # every thousand or so requests.
    # The shipped vocabulary is read and indexed here too, for the default categories'
    # slugs (what nearly every user has): ~0.3 s once, not in someone's request.
    from finance import textparse
    from finance.defaults import DEFAULT_CATEGORIES, FALLBACK_SLUGS
    from finance.textparse import words

    words.dictionary_form("кофе")
    textparse.CategoryIndex(
        [
            textparse.CategoryEntry(id=0, slug=d.slug, name=d.name_en, kind=d.kind)
            for d in DEFAULT_CATEGORIES
        ],
        {kind.value: slug for kind, slug in FALLBACK_SLUGS.items()},
    )
    gc.freeze()
