"""All errors the project raises on purpose.

Each carries *what* went wrong, *where* (file, line when known) and *how to fix*;
the CLI turns any ``KgError`` into one line on stderr and ``exit_code``.
"""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base class: a failure the user can act on."""

    exit_code = 2

    def __init__(self, what: str, *, where: str | Path | None = None, line: int | None = None,
                 fix: str | None = None) -> None:
        self.what = what
        self.where = str(where) if where is not None else None
        self.line = line
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        loc = ""
        if self.where:
            loc = f"{self.where}:{self.line}: " if self.line else f"{self.where}: "
        return f"{loc}{self.detail}"

    @property
    def detail(self) -> str:
        """What is wrong and how to fix it, without where (for a line that names the file already)."""
        return f"{self.what} ({self.fix})" if self.fix else self.what


class ReadError(KgError):
    """An input file cannot be read as an article (missing, binary, empty, malformed)."""


class ExtractionError(KgError):
    """The extractor failed on an article it could read."""


class ValidationFailed(KgError):
    """A graph does not conform to the SHACL shapes."""

    exit_code = 1


class ReasoningError(KgError):
    """The ontology or data is inconsistent, or the reasoner could not run."""

    exit_code = 1


class StoreError(KgError):
    """The embedded store cannot be opened, is locked, or a write failed."""


class StoreLocked(StoreError):
    """Another process holds the store."""


class QueryError(KgError):
    """A stored query is unknown, malformed, missing a parameter, or failed."""


class PublishError(KgError):
    """Export or publish could not write its output."""


class PushError(KgError):
    """Loading into an external triplestore failed."""


class ServeError(KgError):
    """The local SPARQL server cannot start (port in use, address not available)."""
