"""The error family: one root, a few named kinds that carry what a message needs."""

from __future__ import annotations


class TrackerError(Exception):
    """Anything the tracker refuses or cannot do, said in words a user can act on."""


class ConfigError(TrackerError):
    """A bad settings value or feeds file."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class ConcurrencyConflict(TrackerError):
    """A stream moved on since the writer read it."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream, self.expected, self.actual = stream, expected, actual
        super().__init__(
            f"stream {stream!r} is at version {actual}, not the expected {expected}; "
            "nothing was written"
        )


class AppendOnly(TrackerError):
    """Something tried to change or remove a recorded event."""


class UnknownDesignation(TrackerError):
    def __init__(self, designation: str) -> None:
        self.designation = designation
        super().__init__(f"no designation {designation!r} is tracked")


class UnknownFeed(TrackerError):
    def __init__(self, feed: str) -> None:
        self.feed = feed
        super().__init__(f"no feed {feed!r} is configured")


class FollowerStopped(TrackerError):
    """A follower of the log met an event it cannot apply, and stopped before it."""

    def __init__(self, follower: str, position: int, reason: str) -> None:
        self.follower, self.position, self.reason = follower, position, reason
        super().__init__(f"{follower} stopped at position {position}: {reason}")


class ChainBroken(TrackerError):
    """The log's positions or hash chain do not hold."""

    def __init__(self, position: int, reason: str) -> None:
        self.position, self.reason = position, reason
        super().__init__(f"log broken at position {position}: {reason}")
