"""Undoing ``Content-Encoding`` with a hard cap on the output of every step.

A compression bomb (a few kilobytes of gzip or brotli that expand to gigabytes)
must cost at most the response cap in memory.  Decoders that take one network
chunk and return everything it expands to cannot promise that, so each decoder
here is asked for at most ``room`` bytes per call: zlib through ``max_length``,
brotli through ``output_buffer_limit``.  The caller counts and stops at the cap.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli

# Content codings the client asks for and can undo.
ACCEPT_ENCODING = "gzip, deflate, br"


class ContentDecodingError(ValueError):
    """The body is not valid for its Content-Encoding, or the coding is unknown."""


class ContentDecoder(Protocol):
    def decode(self, chunk: bytes, room: int) -> bytes:
        """Decoded bytes of ``chunk``: all of them, or at least ``room`` when that is less."""
        ...


class _Identity:
    def decode(self, chunk: bytes, room: int) -> bytes:
        return chunk


class _Zlib:
    """gzip (possibly several members) or deflate (zlib-wrapped or raw)."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits) if wbits is not None else None

    def decode(self, chunk: bytes, room: int) -> bytes:
        if self._inflater is None:  # deflate: the first bytes say whether a zlib header is there
            self._wbits = zlib.MAX_WBITS if _has_zlib_header(chunk) else -zlib.MAX_WBITS
            self._inflater = zlib.decompressobj(self._wbits)
        out = bytearray()
        data = chunk
        try:
            while data and len(out) < room:
                out += self._inflater.decompress(data, room - len(out))
                data = self._inflater.unconsumed_tail
                if self._inflater.eof:
                    data = self._inflater.unused_data
                    if not data.startswith(b"\x1f\x8b"):
                        break  # trailing bytes after the last member are ignored
                    self._inflater = zlib.decompressobj(self._wbits or zlib.MAX_WBITS | 16)
        except zlib.error as exc:
            raise ContentDecodingError(str(exc)) from exc
        return bytes(out)


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, chunk: bytes, room: int) -> bytes:
        try:
            out = bytearray(self._decompressor.process(chunk, output_buffer_limit=room))
            while len(out) < room and not self._decompressor.can_accept_more_data():
                more = self._decompressor.process(b"", output_buffer_limit=room - len(out))
                if not more:
                    break
                out += more
        except brotli.error as exc:
            raise ContentDecodingError(f"brotli: {exc}") from exc
        return bytes(out)


def _has_zlib_header(chunk: bytes) -> bool:
    return len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0


def decoder_for(content_encoding: str | None) -> ContentDecoder:
    """The decoder for a ``Content-Encoding`` header; only one coding is accepted."""
    coding = (content_encoding or "").strip().lower()
    if coding in ("", "identity"):
        return _Identity()
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib(None)
    if coding == "br":
        return _Brotli()
    raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")
