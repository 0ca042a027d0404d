"""The composition root: builds the tracker's parts from settings, nothing at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from tracker.config import Catalog, load_catalog
from tracker.errors import FollowerStopped
from tracker.feeds.fetch import Limits, make_client
from tracker.metrics import Metrics
from tracker.projections.disputes import DisputeProjection
from tracker.projections.feeds import FeedHealthProjection
from tracker.projections.runner import Projection, Runner
from tracker.projections.status import StatusProjection
from tracker.services.designations import DesignationWriter
from tracker.services.followers import Followers
from tracker.services.reader import Reader
from tracker.settings import Settings
from tracker.store.checkpoints import positions
from tracker.store.database import make_engine
from tracker.store.leases import instance_name
from tracker.store.log import EventLog
from tracker.store.migrate import upgrade
from tracker.webhooks.outbox import Outbox

if TYPE_CHECKING:
    from tracker.runtime import Service


@dataclass
class Tracker:
    settings: Settings
    catalog: Catalog
    engine: Engine
    log: EventLog
    runner: Runner
    writer: DesignationWriter
    reader: Reader
    outbox: Outbox
    projections: list[Projection] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def following(self) -> Followers:
        """The log's followers, as the services that bring them up to date take them."""
        return Followers(self.runner, self.reader, self.outbox, self.projections)

    def stopped(self) -> list[FollowerStopped]:
        return self.following.stopped()

    def push_metrics(self) -> None:
        """Set the metrics' gauges of the log's head and its followers' positions."""
        head, saved = positions(self.engine)
        stopped = {s.follower: s.position for s in self.stopped()}
        self.metrics.set_positions(head, {n: saved.get(n, 0) for n in self.following.names()}, stopped)

    def project(self) -> None:
        self.following.project()

    def settle(self) -> None:
        self.following.settle()

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings | None = None, *, migrate: bool = False) -> Tracker:
    settings = settings or Settings()
    catalog = load_catalog(settings.feeds)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    log = EventLog(engine)
    metrics = Metrics()
    writer = DesignationWriter(log, catalog.designations, metrics)
    return Tracker(
        settings=settings, catalog=catalog, engine=engine, log=log, runner=Runner(engine),
        writer=writer, reader=Reader(engine, log, catalog, writer), outbox=Outbox(log),
        projections=[StatusProjection(catalog), FeedHealthProjection(), DisputeProjection()], metrics=metrics,
    )


def feed_limits(settings: Settings) -> Limits:
    """How much a fetch may read, and where its redirects and article links may lead."""
    return Limits(max_bytes=settings.max_feed_bytes, allow_private=settings.feed_allow_private)


def make_service(tracker: Tracker) -> Service:
    """What `tracker serve` runs beside the API: the poller and the webhook dispatcher, under
    one instance name (their leases' owner). Imported here: the CLI's commands need none of it."""
    import httpx

    from tracker.runtime import Parts, Service
    from tracker.services.polling import Poller
    from tracker.webhooks.dispatcher import Dispatcher

    owner, settings = instance_name(), tracker.settings

    def poller() -> Poller:
        return Poller(tracker.engine, tracker.log, tracker.catalog, make_client(),
                      feed_limits(settings), owner=owner, metrics=tracker.metrics,
                      concurrency=settings.poll_concurrency)

    def dispatcher() -> Dispatcher:
        return Dispatcher(tracker.engine, settings, tracker.metrics, owner,
                          httpx.AsyncClient(follow_redirects=False))

    return Service(Parts(tracker.engine, tracker.log, tracker.settle, poller, dispatcher))
