"""Bytes on disk to text, refusing what is not an article file.

Every failure is a ``ReadError`` naming the file, so a batch can report it and
go on; the size check happens before reading so a huge file costs nothing.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from kg.errors import ReadError

#: files above this many bytes are refused without being read
MAX_BYTES = 20 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"BZh")
_FALLBACKS = ("cp1252", "latin-1")


def read_bytes(path: Path, name: str, max_bytes: int | None = None) -> bytes:
    """The file's bytes, or a ReadError saying why it cannot be read."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    try:
        info = path.stat()
    except FileNotFoundError:
        broken = path.is_symlink()
        raise ReadError("broken symbolic link" if broken else "no such file", where=name,
                        fix="check the path") from None
    except OSError as exc:
        raise ReadError(f"cannot access file: {exc.strerror or exc}", where=name) from None
    if stat.S_ISDIR(info.st_mode):
        if not os.access(path, os.R_OK | os.X_OK):
            raise ReadError("permission denied: cannot list this folder, its articles were not read", where=name,
                            fix="make the folder readable (chmod +rx)")
        raise ReadError("is a directory, not an article file", where=name,
                        fix="pass the folder to a batch command, or name a file inside it")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError("not a regular file", where=name)
    if info.st_size > limit:
        raise ReadError(f"file too large ({info.st_size:,} bytes; the limit is {limit:,})", where=name,
                        fix="split it into one file per article")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except PermissionError:
        raise ReadError("permission denied", where=name, fix="make the file readable") from None
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}", where=name) from None
    if len(data) > limit:
        raise ReadError(f"file too large (more than {limit:,} bytes)", where=name)
    return data


#: control characters no text file holds (all below 32 but tab, newline, vertical tab, form feed, return),
#: and the replacement character a failed decoding leaves
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for _ in _CONTROL.finditer(text))
    return controls > max(2, len(text) // 100)


def decode(data: bytes, name: str) -> str:
    """Text from bytes: BOM first, then UTF-8, then a detected single-byte encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise ReadError(f"invalid {encoding.upper()} text after its byte-order mark", where=name,
                                fix="re-save the file as UTF-8") from None
            text = text.lstrip("\ufeff")
            if _looks_binary(text):
                raise ReadError("binary file, not text", where=name)
            return text
    if data.startswith(_MAGIC) or b"\x00" in data:
        raise ReadError("binary file, not text", where=name, fix="give a .txt, .html or .json article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    if _looks_binary(text):
        raise ReadError("binary file, not text", where=name, fix="give a .txt, .html or .json article")
    return text


def _decode_legacy(data: bytes) -> str:
    """Text in a legacy single-byte encoding (Latin-1, Windows-1252 and kin)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        pass
    else:
        best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "cp1250", "cp1251"]).best()
        if best is not None:
            return str(best)
    for encoding in _FALLBACKS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1", errors="replace")  # pragma: no cover - latin-1 decodes every byte


def display_name(path: Path | str) -> str:
    """The file name used in Article.source: never the absolute path."""
    return os.path.basename(os.fspath(path).rstrip("/\\")) or os.fspath(path)
