"""An analyst's three decisions, each an event in the designation's stream: set a stage,
reject one piece of evidence, withdraw an earlier override (handing the designation back to
its evidence). The API and the CLI both call these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tracker.domain.designations import Designation
from tracker.domain.events import EvidenceRejected, OverrideWithdrawn, StageOverridden
from tracker.domain.status import Override, withdrawn_key
from tracker.domain.times import checked
from tracker.errors import TrackerError, UnknownDesignation
from tracker.services.designations import DesignationWriter
from tracker.services.followers import Followers


class Refused(TrackerError):
    """A decision that names something the designation does not have."""

    def __init__(self, field: str, value: object, why: str) -> None:
        self.field, self.value, self.why = field, value, why
        super().__init__(f"{field} {value!r}: {why}")


@dataclass(frozen=True)
class Decided:
    designation: str
    position: int
    type: str
    stage: str | None


def set_stage(writer: DesignationWriter, followers: Followers, designation: str,
              stage: str | None, reason: str, effective_at: datetime | None = None,
              analyst: str | None = None) -> Decided:
    """Set the stage (None: no stage at all), effective at a time (now if not given)."""
    target = _designation(writer, designation)
    if stage is not None and stage not in target.stages:
        raise Refused("stage", stage, f"not one of {list(target.stages)}")
    effective = checked(effective_at or datetime.now(UTC), "effective_at")
    return _record(writer, followers, designation,
                   StageOverridden(designation, stage, reason, effective, analyst))


def reject_evidence(writer: DesignationWriter, followers: Followers, designation: str,
                    observation_id: str, reason: str, analyst: str | None = None) -> Decided:
    """Rule one observation's evidence out of the designation's status."""
    _designation(writer, designation)
    if observation_id not in writer.state(designation).readings:
        raise Refused("observation_id", observation_id,
                      f"no evidence for {designation!r} comes from this observation")
    return _record(writer, followers, designation,
                   EvidenceRejected(designation, observation_id, reason, analyst))


def withdraw_override(writer: DesignationWriter, followers: Followers, designation: str,
                      position: int, reason: str, analyst: str | None = None) -> Decided:
    """Withdraw the override recorded at `position`: the stage is what the evidence says."""
    _designation(writer, designation)
    state = writer.state(designation)
    if not any(isinstance(i, Override) and i.position == position for i in state.items):
        raise Refused("override_position", position,
                      f"no override of {designation!r} was recorded at this position")
    if withdrawn_key(position) in state.rejected:
        raise Refused("override_position", position, "this override is already withdrawn")
    return _record(writer, followers, designation,
                   OverrideWithdrawn(designation, position, reason, analyst))


def _designation(writer: DesignationWriter, name: str) -> Designation:
    target = writer.designations.get(name)
    if target is None:
        raise UnknownDesignation(name)
    return target


def _record(writer: DesignationWriter, followers: Followers, designation: str,
            event: StageOverridden | EvidenceRejected | OverrideWithdrawn) -> Decided:
    first = writer.record(designation, [event])[0]
    followers.project()
    return Decided(designation, first.position, first.type,
                   writer.state(designation).timeline().stage)
