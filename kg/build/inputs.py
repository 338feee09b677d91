"""The inputs of a build: local files and folders as ``kg ingest`` reads them, or fsspec URLs.

A local path is listed with ``kg.read.article_files`` (the same files in the same order as
``kg ingest``); a URL (``s3://bucket/news/``, ``gs://…``, ``file:///…``) is listed with
fsspec under the same rules: recursive, sorted, hidden files and folders skipped, article
extensions only. Workers read each input themselves, so the client never holds the corpus.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from kg.errors import ReadError
from kg.ingest import Outcome, Reject, check_paths, process, process_file, shown_path

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(ref: str) -> bool:
    return bool(_URL.match(ref))


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError as exc:
        raise ReadError("reading URLs needs fsspec", where=url,
                        fix="pip install 'diplomacy-kg[dask]'") from exc
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # e.g. s3:// without s3fs installed
        raise ReadError(f"no filesystem for this URL: {exc}", where=url,
                        fix="install its fsspec package (s3fs for s3://, gcsfs for gs://)") from exc


def _listed(url: str) -> list[str]:
    from kg.read import ARTICLE_SUFFIXES

    fs, root = _filesystem(url)
    try:
        if not fs.exists(root):
            raise ReadError("no such file or folder", where=url, fix="check the URL; nothing was built")
        if not fs.isdir(root):
            return [url]
        found = fs.find(root)
    except OSError as exc:
        raise ReadError(f"cannot list: {exc}", where=url, fix="check the URL and its credentials") from exc
    protocol = url.split("://", 1)[0]
    base = PurePosixPath(root.rstrip("/"))
    keep = []
    for name in found:
        rel = PurePosixPath(name).relative_to(base) if name.startswith(str(base)) else PurePosixPath(name)
        if any(part.startswith(".") for part in rel.parts) or rel.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        keep.append((rel.parts, fs.unstrip_protocol(name) if protocol != "file" else f"file://{name}"))
    return [ref for _, ref in sorted(keep)]


def list_inputs(paths: Iterable[str | Path]) -> list[str]:
    """Every input file, in the order ``kg ingest`` reads them; a path that does not exist stops the build."""
    from kg.read import article_files

    refs: list[str] = []
    for item in paths:
        text = os.fspath(item)
        if is_url(text):
            refs.extend(_listed(text))
        else:
            check_paths([text])
            refs.extend(os.fspath(p) for p in article_files([text]))
    return refs


def _read_reject(err: ReadError) -> Outcome:
    where = shown_path(err.where or "?")
    return Outcome(where, reject=Reject(where, "read", err.what + (f" ({err.fix})" if err.fix else "")))


def _process_url(url: str, base_iri: str, published: datetime | None) -> Outcome:
    """Read one URL as ``read_article`` reads a file (size limit first, encoding, format by extension)."""
    from kg.read import ARTICLE_SUFFIXES, MAX_BYTES, read_text, with_published
    from kg.read.decode import decode

    try:
        fs, path = _filesystem(url)
        try:
            size = fs.size(path)
            if size is not None and size > MAX_BYTES:
                raise ReadError(f"file too large ({size:,} bytes; the limit is {MAX_BYTES:,})", where=url,
                                fix="split it into one file per article")
            data = fs.cat_file(path)
        except FileNotFoundError:
            raise ReadError("no such file", where=url, fix="check the URL") from None
        except OSError as exc:
            raise ReadError(f"cannot read: {exc}", where=url) from None
        fmt = ARTICLE_SUFFIXES.get(PurePosixPath(path).suffix.lower())
        article = with_published(read_text(decode(data, url), source=url, fmt=fmt), published)
    except ReadError as err:
        return _read_reject(err)
    return process(article, base_iri)


def process_input(ref: str, base_iri: str, published: datetime | None) -> Outcome:
    """What a worker does with one input: read, extract, map, SHACL gate (never raises for a bad article)."""
    if is_url(ref):
        return _process_url(ref, base_iri, published)
    return process_file(Path(ref), base_iri, published)
