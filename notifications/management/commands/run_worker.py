import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from procrastinate import psycopg_connector
from procrastinate.connector import BaseAsyncConnector
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob


class Command(BaseCommand):
    help = "Run a queue worker (SIGTERM finishes the current jobs and stops)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--until-empty",
            action="store_true",
            help="Run the jobs that are due, then exit (tests, cron, scripts).",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.QUEUE_WORKER_CONCURRENCY,
            help="Jobs run at once by this worker (default: QUEUE_WORKER_CONCURRENCY).",
        )

    def handle(self, **options: Any) -> str:
        with app.replace_connector(_worker_connector()):
            while True:
                app.run_worker(
                    wait=not options["until_empty"],
                    concurrency=options["concurrency"],
                    install_signal_handlers=True,
                    listen_notify=not options["until_empty"],
                    delete_jobs="successful",
                )
                # A worker without `wait` stops at the first empty fetch, though the job
                # it was running may have deferred more (a budget check, its alert).
                if not options["until_empty"] or not _due_jobs():
                    return ""


def _worker_connector() -> BaseAsyncConnector:
    """Django's connector defers jobs within the web request's transaction; a worker needs
    a connection of its own that can LISTEN and poll (psycopg 3's pool), to PostgreSQL
    itself: QUEUE_DATABASE_URL, or DATABASE_URL's database when that is not a pooler."""
    if settings.QUEUE_DATABASE_URL:
        return psycopg_connector.PsycopgConnector(conninfo=settings.QUEUE_DATABASE_URL)
    if settings.DATABASE_POOLING:
        raise CommandError(
            "DATABASE_URL is a transaction pooler (DATABASE_POOLING), where LISTEN hears "
            "nothing: set QUEUE_DATABASE_URL to PostgreSQL itself for the workers"
        )
    connector: BaseAsyncConnector = app.connector.get_worker_connector()  # type: ignore[attr-defined]
    return connector


def _due_jobs() -> bool:
    due = Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=timezone.now())
    return ProcrastinateJob.objects.filter(due, status="todo").exists()
