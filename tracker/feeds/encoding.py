"""A body's Content-Encoding undone a bounded piece at a time, so that a fetch's size limit
holds on the decoded bytes (a small gzip bomb cannot fill the memory)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

# Only what is decoded here.
ACCEPTED = "gzip, deflate"
MAX_LAYERS = 2
PIECE = 64 * 1024


class Inflate:
    """One layer of gzip or deflate undone, never more than PIECE bytes at a time."""

    def __init__(self, coding: str) -> None:
        self.gzip = coding in ("gzip", "x-gzip")
        self.z = zlib.decompressobj(31 if self.gzip else 15)
        self.started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self.z.decompress(data, PIECE)
            except zlib.error:
                if self.gzip or self.started:
                    raise
                self.z = zlib.decompressobj(-15)  # "deflate" sent raw, as some servers do
                out = self.z.decompress(data, PIECE)
            self.started = True
            data = self.z.unconsumed_tail
            if out:
                yield out
            if self.z.eof:
                if self.gzip and self.z.unused_data.strip(b"\0"):  # another gzip member
                    data, self.z = self.z.unused_data, zlib.decompressobj(31)
                    continue
                return
            if not data and len(out) < PIECE:
                return


def layers(codings: list[str]) -> list[Inflate]:
    """The decoders for a Content-Encoding header, in the order they are to be undone."""
    named = [c.strip().lower() for c in codings if c.strip().lower() not in ("", "identity")]
    unknown = [c for c in named if c not in ("gzip", "x-gzip", "deflate")]
    if unknown:
        raise ValueError(f"sent a Content-Encoding this service does not accept: {unknown[0]}")
    if len(named) > MAX_LAYERS:
        raise ValueError(f"sent {len(named)} layers of Content-Encoding; refused (at most "
                         f"{MAX_LAYERS})")
    return [Inflate(c) for c in reversed(named)]


async def decoded(raw: AsyncIterator[bytes], layers: list[Inflate]) -> AsyncIterator[bytes]:
    """The body decoded layer by layer as it arrives, each piece at most PIECE bytes."""
    async for chunk in raw:
        for piece in through(iter([chunk]), layers):
            yield piece


def through(pieces: Iterator[bytes], layers: list[Inflate]) -> Iterator[bytes]:
    if not layers:
        yield from pieces
        return
    first, rest = layers[0], layers[1:]
    for piece in pieces:
        yield from through(first.feed(piece), rest)
