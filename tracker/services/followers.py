"""The log's followers together: the projections, the classifier's reader, the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.errors import FollowerStopped
from tracker.projections.runner import Projection, Runner
from tracker.services import reader
from tracker.services.reader import Reader
from tracker.webhooks.outbox import Outbox


@dataclass
class Followers:
    runner: Runner
    reader: Reader
    outbox: Outbox
    projections: list[Projection] = field(default_factory=list)

    def names(self) -> list[str]:
        """The names of every checkpointed follower of the log."""
        return [p.name for p in self.projections] + [reader.NAME, self.outbox.name]

    def stopped(self) -> list[FollowerStopped]:
        """The followers of the log that stopped before an event they cannot apply."""
        found = list(self.runner.stopped.values())
        return found + ([self.reader.stopped] if self.reader.stopped else [])

    def project(self) -> None:
        """Bring every projection, then the webhook outbox, up to the head of the log."""
        for projection in self.projections:
            self.runner.catch_up(projection)
        self.runner.catch_up(self.outbox)

    def settle(self) -> None:
        """Read every new observation, then project: what the CLI does before it answers."""
        self.reader.catch_up()
        self.project()
