"""Telling a database that is away (stopped, restarting, locked) from a bug."""

from __future__ import annotations

import logging
import sys

from sqlalchemy.exc import DBAPIError, OperationalError


def unavailable(exc: BaseException | None) -> str | None:
    """A one-line reason when `exc` says the database cannot be reached or is locked."""
    if isinstance(exc, OperationalError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        cause = exc.orig if exc.orig is not None else exc
        lines = str(cause).strip().splitlines()
        return lines[0] if lines else cause.__class__.__name__
    return None


def log_failure(logger: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled: one line when the database is away (the work is
    retried once it is back), the traceback for anything else."""
    reason = unavailable(sys.exc_info()[1])
    if reason:
        logger.warning(message + "; the database is unavailable (%s)", *args, reason)
    else:
        logger.exception(message, *args)


def transient(exc: BaseException) -> bool:
    """Whether an error is the database's passing trouble (away, locked, a lost
    connection), through SQLAlchemy or straight from the driver, rather than the event's."""
    return unavailable(exc) is not None or any(
        c.__name__ in ("OperationalError", "InterfaceError") for c in type(exc).__mro__)
