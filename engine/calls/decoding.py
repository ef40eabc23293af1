"""Content-Encoding, decoded within a byte budget as the bytes arrive.

httpx decodes each received chunk whole before anyone can count it: one 64 KiB chunk of a gzip bomb
becomes 64 MiB, and a stacked `gzip, gzip` answer of a few KB becomes gigabytes. Here every layer
inflates at most STEP bytes at a time and each layer's output is counted as it is produced, so
decoding a hostile answer costs at most about the budget in memory, whatever it claims to be.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

STEP = 64 * 1024  # the most any layer inflates at once
ACCEPTED = "gzip, deflate"  # what we ask for; exactly the encodings we can bound


class BudgetExceeded(Exception):
    """The decoded answer (or one decoding layer's output) is larger than the budget."""


class UndecodableBody(Exception):
    """An encoding we do not decode, or a corrupt compressed stream."""


class _Inflate:
    """One gzip or deflate layer; counts what it has produced against the budget."""

    def __init__(self, name: str, budget: int) -> None:
        self.name = name
        self.budget = budget
        self.produced = 0
        # gzip carries a header; HTTP's deflate is zlib-wrapped, though some servers send raw deflate.
        wbits = 16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)
        self._raw_fallback = name == "deflate"

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                piece = self._inflater.decompress(data, STEP)
            except zlib.error as exc:
                if self._raw_fallback and self.produced == 0:
                    self._raw_fallback = False
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise UndecodableBody(f"corrupt {self.name} data ({exc})") from None
            self._raw_fallback = False
            self.produced += len(piece)
            if self.produced > self.budget:
                raise BudgetExceeded
            if piece:
                yield piece
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:
                return  # anything after the end of the stream is ignored, as zlib and httpx do

    def finish(self) -> Iterator[bytes]:
        """What zlib still holds once the input has ended, in STEP-sized pieces."""
        while not self._inflater.eof:
            try:
                piece = self._inflater.decompress(b"", STEP)
            except zlib.error as exc:
                raise UndecodableBody(f"corrupt {self.name} data ({exc})") from None
            if not piece:
                break
            self.produced += len(piece)
            if self.produced > self.budget:
                raise BudgetExceeded
            yield piece
        if not self._inflater.eof:
            raise UndecodableBody(f"the {self.name} data ends early")


def layers_for(content_encoding: str | None, budget: int) -> list[_Inflate]:
    """The decoding layers, innermost last-applied first: `gzip, deflate` was gzipped, then deflated."""
    names = [part.strip().lower() for part in (content_encoding or "").split(",")]
    layers: list[_Inflate] = []
    for name in names:
        if name in ("", "identity"):
            continue
        if name in ("gzip", "x-gzip"):
            layers.append(_Inflate("gzip", budget))
        elif name == "deflate":
            layers.append(_Inflate("deflate", budget))
        else:
            raise UndecodableBody(f"the answer is encoded as {name!r}, which is not decoded here")
    layers.reverse()  # the last encoding applied is the first to undo
    return layers


class BoundedDecoder:
    """Feed raw body bytes in, get decoded bytes out; at most `budget` decoded bytes ever exist."""

    def __init__(self, content_encoding: str | None, budget: int) -> None:
        self.budget = budget
        self._layers = layers_for(content_encoding, budget)
        self._body = bytearray()

    def feed(self, raw: bytes) -> None:
        for piece in self._through(0, raw):
            self._keep(piece)

    def finish(self) -> bytes:
        for index in range(len(self._layers)):
            for tail in self._layers[index].finish():
                for piece in self._through(index + 1, tail):
                    self._keep(piece)
        return bytes(self._body)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)

    def _keep(self, piece: bytes) -> None:
        if len(self._body) + len(piece) > self.budget:
            raise BudgetExceeded
        self._body += piece
