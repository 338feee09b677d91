"""Graph -> SHACL report, against the shapes in ``shapes/``.

pyshacl is the reference engine. pyshacl-turbo runs the same shapes through the
same API in Rust, about six times faster on an article graph, which is what lets
the ingest gate validate every article; it is used when installed, and the test
suite checks that both engines give the same verdict and messages on every shape
example. ``KG_SHACL_ENGINE=pyshacl`` forces the reference engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph
from rdflib.namespace import SH

from kg.errors import KgError, ReadError
from kg.resources import resource_dir

ENGINES = ("turbo", "pyshacl")
_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld",
            ".json": "json-ld", ".rdf": "xml", ".owl": "xml"}


@dataclass(frozen=True)
class Result:
    severity: str  # Violation | Warning | Info
    message: str
    focus: str
    path: str | None = None
    value: str | None = None
    shape: str | None = None


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    report_graph: Graph = field(default_factory=Graph)
    engine: str = "pyshacl"

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    def text(self) -> str:
        """Human-readable: a verdict line, then results grouped by severity."""
        head = "conforms" if self.conforms else f"does not conform: {len(self.violations)} violation(s)"
        if self.warnings:
            head += f", {len(self.warnings)} warning(s)"
        lines = [head]
        for severity in ("Violation", "Warning", "Info"):
            for r in sorted((r for r in self.results if r.severity == severity),
                            key=lambda r: (r.message, r.focus, r.path or "")):
                where = f" {r.path}" if r.path else ""
                value = f" = {r.value}" if r.value else ""
                lines.append(f"  {severity}: {r.message}\n    at <{r.focus}>{where}{value}")
        return "\n".join(lines)


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(resource_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def engine_name() -> str:
    wanted = os.environ.get("KG_SHACL_ENGINE", "").strip().lower()
    if wanted and wanted not in ENGINES:
        raise KgError(f"unknown SHACL engine {wanted!r} in KG_SHACL_ENGINE", fix=f"use one of {', '.join(ENGINES)}")
    if wanted:
        return wanted
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return "pyshacl"
    return "turbo"


def _short(node: Any) -> str | None:
    return None if node is None else str(node)


def _results(report: Graph) -> list[Result]:
    out = []
    for r in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
        out.append(Result(
            severity=severity,
            message=str(report.value(r, SH.resultMessage) or "constraint not met"),
            focus=str(report.value(r, SH.focusNode)),
            path=_short(report.value(r, SH.resultPath)),
            value=_short(report.value(r, SH.value)),
            shape=_short(report.value(r, SH.sourceShape)),
        ))
    return out


def validate(data: Graph, *, shapes: Graph | None = None, engine: str | None = None) -> Report:
    """Validate ``data``; warnings and infos never make it non-conforming."""
    engine = engine or engine_name()
    if engine not in ENGINES:
        raise KgError(f"unknown SHACL engine {engine!r}", fix=f"use one of {', '.join(ENGINES)}")
    if engine == "turbo":
        import pyshacl_turbo as impl
    else:
        import pyshacl as impl  # type: ignore[no-redef]
    conforms, report, _ = impl.validate(data, shacl_graph=shapes if shapes is not None else shapes_graph(),
                                        allow_warnings=True, allow_infos=True, inference="none")
    if not isinstance(report, Graph):
        raise KgError(f"the SHACL engine failed: {report}", fix="run with KG_SHACL_ENGINE=pyshacl")
    return Report(bool(conforms), _results(report), report, engine)


@cache
def _compiled_shapes() -> Any:
    """pyshacl-turbo's compiled form of ``shapes/`` (compiling is half the cost of one article's validation)."""
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(shapes_graph())


_FAST_GATE = True  # switched off for good if pyshacl-turbo's internals ever change under us


def conforms_ntriples(ntriples: str, namespaces: dict[str, str]) -> bool | None:
    """Whether an N-Triples document conforms to ``shapes/``, answered by the native engine alone.

    The ingest gate's fast path: with the compiled shapes and the N-Triples text the
    worker writes anyway, no rdflib report graph is built for a conforming article
    (that was two thirds of the time). Returns None when this shortcut is not available
    (the pyshacl engine, or a pyshacl-turbo whose internals differ): call ``validate``.
    A False answer is only a verdict: ``validate`` gives the results.
    """
    global _FAST_GATE
    if not _FAST_GATE or engine_name() != "turbo":
        return None
    try:
        native = _compiled_shapes()._native
        conforms = native.validate(ntriples, "nt", None, False, 100, 15, False, True, True, False, [], [],
                                   list(namespaces.items()))[0]
    except (AttributeError, TypeError, ValueError, IndexError):  # another pyshacl-turbo: use the public API
        _FAST_GATE = False
        return None
    except Exception:  # a native failure: let validate() report it properly
        return None
    return bool(conforms)


def load_graph(path: Path | str) -> Graph:
    """Any RDF file by extension, all named graphs merged; a clear error on bad syntax."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(f"unknown RDF file extension {path.suffix!r}", where=path,
                        fix=f"use one of {', '.join(sorted(_FORMATS))}")
    if not path.is_file():
        raise ReadError("no such file", where=path)
    ds = Dataset()
    try:
        ds.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many types for bad syntax
        line = getattr(exc, "lines", None) or getattr(exc, "line", None)
        raise ReadError(f"not valid {fmt}: {str(exc).splitlines()[0][:200]}", where=path,
                        line=line if isinstance(line, int) else None) from exc
    merged = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def validate_file(path: Path | str) -> Report:
    return validate(load_graph(path))

