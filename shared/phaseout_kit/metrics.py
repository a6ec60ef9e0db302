"""Prometheus metrics shared by every service (one registry per process: one service per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("phaseout_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "phaseout_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("phaseout_outbox_backlog", "events written but not yet published")
EVENTS_PUBLISHED = Counter(
    "phaseout_events_published_total", "events published by the outbox relay", ["topic"]
)
RELAY_ERRORS = Counter("phaseout_outbox_relay_errors_total", "failed publish attempts", ["topic"])
EVENTS_CONSUMED = Counter(
    "phaseout_events_consumed_total", "events handled by a consumer", ["source", "outcome"]
)
CONSUMER_LAG = Gauge(
    "phaseout_consumer_lag", "records between the consumer position and the log end", ["topic"]
)
DEAD_LETTERS = Counter("phaseout_dead_letters_total", "messages sent to the dead-letter topic", ["reason"])
