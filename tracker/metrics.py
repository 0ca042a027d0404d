"""Prometheus metrics, on a registry of the tracker's own (one per built tracker)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.polls = Counter("tracker_polls", "Feed polls by outcome", ["feed", "outcome"],
                             registry=r)
        self.observations = Counter("tracker_observations", "New observations recorded",
                                    ["feed"], registry=r)
        self.refused = Counter("tracker_feed_entries_refused",
                               "Entry links dropped (not http or https) and entry dates read "
                               "as missing (out of range)", ["feed", "what"], registry=r)
        self.evidence = Counter("tracker_evidence", "Evidence recorded, by stage", ["stage"],
                                registry=r)
        self.transitions = Counter("tracker_transitions", "Status changes recorded",
                                   ["designation"], registry=r)
        self.deliveries = Counter("tracker_webhook_deliveries", "Webhook attempts by outcome",
                                  ["outcome"], registry=r)
        self.delivery_latency = Histogram(
            "tracker_webhook_delivery_latency_seconds",
            "From a transition's commit to its successful delivery", registry=r,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600))
        self.requests = Histogram("tracker_http_request_duration_seconds",
                                  "HTTP request latency by route", ["method", "route", "status"],
                                  registry=r)
        self.position = Gauge("tracker_log_position", "The log's head position", registry=r)
        self.lag = Gauge("tracker_projection_lag_events",
                         "How far each follower of the log is behind its head", ["projection"],
                         registry=r)
        self.stopped = Gauge("tracker_follower_stopped_position",
                             "The position a follower stopped before, as it cannot apply it "
                             "(0: following)", ["projection"], registry=r)

    def set_positions(self, head: int, checkpoints: Mapping[str, int],
                      stopped: Mapping[str, int]) -> None:
        """Set the gauges of the log's head and each follower's checkpoint (by name), and
        where the stopped ones stopped."""
        self.position.set(head)
        for name, position in checkpoints.items():
            self.lag.labels(name).set(head - position)
            self.stopped.labels(name).set(stopped.get(name, 0))
