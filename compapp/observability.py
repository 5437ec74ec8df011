"""Request ids, one JSON log line per request, and Prometheus metrics at /metrics.

Logs: ``COMPAPP_LOG_FORMAT=json`` (the default in production) writes one JSON object per
line to standard error (journald keeps it): every request with its request id, user id,
status and duration; errors with their traceback; a lost database as a 503.

Metrics: request latency by endpoint, sign-in failures, and the job queue (depth by kind and
state, durations of finished jobs) read from the database, so every host reports the same
queue. Under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (the systemd unit does) so the
workers' counters are added up. Only an administrator, or a client on the networks of
``COMPAPP_METRICS_NETWORKS`` (default: this machine), may read them.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import sys
import time
import uuid
from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from compapp.auth.models import utcnow
from compapp.core.vocab import JobState
from compapp.jobs import services

REQUEST_SECONDS = Histogram(
    "compapp_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint", "method", "status"],
)
SIGN_IN_FAILURES = Counter(
    "compapp_sign_in_failures_total",
    "Sign-in attempts refused: wrong name or password, or over the limit.",
    ["reason"],
)
JOB_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

logger = logging.getLogger("compapp.request")
bp = Blueprint("observability", __name__)


# --- logs ---------------------------------------------------------------------------------------


class RequestContextFilter(logging.Filter):
    """Add the request id (and path) to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(record, "request_id", None) or g.get("request_id")
            record.path = getattr(record, "path", None) or request.path
        return True


def configure_logging(app: Flask) -> None:
    """Send compapp's log records to standard error as JSON lines (or text in development)."""
    fmt = app.config.get("LOG_FORMAT") or "text"
    target = logging.getLogger("compapp")
    for handler in list(target.handlers):
        if getattr(handler, "compapp", False):
            target.removeHandler(handler)
    if fmt != "json":
        target.propagate = True
        return
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.compapp = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    handler.addFilter(RequestContextFilter())
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    target.propagate = False


def _request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _user_id() -> int | None:
    # Only a user already loaded: logging must not query (the database may be gone).
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return int(user.get_id())
    except Exception:
        return None


def init_app(app: Flask) -> None:
    """Give every request an id, log it as one line, time it, and serve /metrics."""
    configure_logging(app)
    app.register_blueprint(bp)

    @app.before_request
    def start_clock():
        g.request_id = _request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration = time.perf_counter() - started if started else 0.0
        request_id = g.get("request_id") or _request_id()
        response.headers["X-Request-ID"] = request_id
        endpoint = request.endpoint or "none"
        REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(
            duration
        )
        if endpoint == "static":
            return response
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "user_id": _user_id(),
                "remote_addr": request.remote_addr,
            },
        )
        return response

    @app.context_processor
    def inject_request_id():
        return {"request_id": g.get("request_id")}


# --- metrics ------------------------------------------------------------------------------------


class JobCollector:
    """The job queue as the database has it: depth by kind and state, and durations."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):

        with self.app.app_context():
            depth = services.queue_depth()
            durations = services.finished_durations(utcnow() - timedelta(hours=24))
        gauge = GaugeMetricFamily(
            "compapp_jobs", "Background jobs by kind and state.", labels=["kind", "state"]
        )
        for kind in services.HANDLERS:
            for state in JobState.codes():
                gauge.add_metric([kind, state], depth.get((kind, state), 0))
        yield gauge
        histogram = HistogramMetricFamily(
            "compapp_job_duration_seconds",
            "Run time of the background jobs finished in the last 24 hours.",
            labels=["kind"],
        )
        for kind in services.HANDLERS:
            seconds = [s for k, s in durations if k == kind]
            buckets = [(str(b), sum(1 for s in seconds if s <= b)) for b in JOB_BUCKETS]
            buckets.append(("+Inf", len(seconds)))
            histogram.add_metric([kind], buckets, sum(seconds))
        yield histogram


def _allowed_networks(app: Flask):
    text = app.config.get("METRICS_NETWORKS") or "127.0.0.0/8,::1/128"
    return [
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    ]


def may_read_metrics(app: Flask) -> bool:
    """An administrator, or a client on the configured networks that did not come through an
    untrusted proxy (behind nginx every client would otherwise look local)."""
    from flask_login import current_user

    if current_user.is_authenticated and current_user.role == "admin":
        return True
    if request.headers.get("X-Forwarded-For") and not app.config.get("TRUSTED_PROXIES"):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks(app))


def metrics_registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUEST_SECONDS, SIGN_IN_FAILURES):
            registry.register(collector)
    registry.register(JobCollector(app))
    return registry


@bp.route("/metrics")
def metrics():
    from flask import current_app

    app = current_app._get_current_object()
    if not may_read_metrics(app):
        abort(404)
    return Response(generate_latest(metrics_registry(app)), mimetype=CONTENT_TYPE_LATEST)


metrics.is_public = True  # type: ignore[attr-defined]  (checked above, not by sign-in)
