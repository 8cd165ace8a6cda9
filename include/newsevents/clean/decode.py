"""Bytes to text: pick the right character set, or say why the input is not text at all."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I
)
_META_SCAN_BYTES = 16_384  # the head can be long (inline CSS, JSON-LD) before the charset meta
_SAMPLE_BYTES = 65_536  # enough for a confident detection, cheap on huge pages
# NUL and the other control bytes but \t \n \f \r: text has (almost) none of them.
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0c\r")


class Undecodable(ValueError):
    """The body is not text we can read; ``reason`` is the Reject reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def decode_html(body: bytes, charset: str | None) -> str:
    """An HTML body as text: UTF-8 if it is valid UTF-8, else the transport charset, then the
    page's meta charset, then detection.

    Valid UTF-8 wins over any label because no legacy encoding's text (Latin-1, windows-1256,
    GBK, ...) is valid UTF-8 by accident, while pages re-encoded to UTF-8 by a crawler or
    served with a server-default "iso-8859-1" header keep their stale labels. A label that
    fails to decode the bytes is skipped.
    """
    _check_text(body)
    bom = _bom_codec(body)
    if bom:
        return body.decode(bom, errors="replace")
    if _is_utf8(body):
        return body.decode("utf-8")
    for label in (charset, _meta_charset(body)):
        codec = _codec(label)
        if codec is None or codec == "utf-8":
            continue
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    best = from_bytes(body[:_SAMPLE_BYTES]).best()
    return body.decode(best.encoding if best else "utf-8", errors="replace")


def decode_text(body: bytes, charset: str | None) -> str:
    """A plain-text body as text: its declared charset or a BOM, else it must be UTF-8."""
    _check_text(body)
    codec = _codec(charset) or _bom_codec(body) or "utf-8"
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        reason = "invalid_utf8" if codec == "utf-8" else "invalid_encoding"
        raise Undecodable(reason, f"not valid {codec} at byte {exc.start}") from None


def _check_text(body: bytes) -> None:
    if not body.strip():
        raise Undecodable("empty", "the document has no content")
    if _bom_codec(body) == "utf-16":
        return  # UTF-16 text is full of NUL bytes
    sample = body[:_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls * 100 > len(sample):  # text has next to none; any binary format has plenty
        raise Undecodable(
            "binary", f"{controls} NUL/control bytes in the first {len(sample)}: not text"
        )


def _codec(label: str | bytes | None) -> str | None:
    """The Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="ignore")
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def _meta_charset(body: bytes) -> bytes | None:
    match = _META_CHARSET.search(body[:_META_SCAN_BYTES])
    return match.group(1) if match else None


def _bom_codec(body: bytes) -> str | None:
    return next((codec for bom, codec in _BOMS if body.startswith(bom)), None)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
