"""OWL consistency with owlready2's HermiT: the ontology alone, or with a data graph.

SHACL checks shape; the reasoner checks meaning: an individual typed both Leader
and Country contradicts the disjointness axioms, a class nothing can belong to is
a modelling error. HermiT needs Java (17 is enough); Pellet, as owlready2 ships
it, does not run on Java 17.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.errors import ReasoningError
from kg.resources import ontology_file, resource_dir


@dataclass
class ReasoningReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def text(self) -> str:
        if not self.consistent:
            return f"inconsistent: {self.detail}".rstrip(": ")
        if self.unsatisfiable:
            return "unsatisfiable classes (nothing can belong to them): " + ", ".join(self.unsatisfiable)
        return "consistent: no contradiction and no unsatisfiable class"


def _combined(data: Graph | None) -> Graph:
    graph = Graph().parse(ontology_file(), format="turtle")
    graph.parse(resource_dir("ontology") / "vocab.ttl", format="turtle")
    if data is not None:
        graph += data
    return graph


def reason(data: Graph | None = None) -> ReasoningReport:
    """Run HermiT on the ontology (plus ``data``); unsupported datatypes such as xsd:date are ignored."""
    if shutil.which("java") is None:
        raise ReasoningError("Java is not installed, and HermiT runs on Java",
                             fix="install a Java runtime (17 or newer), e.g. apt-get install default-jre-headless")
    import owlready2

    with tempfile.TemporaryDirectory(prefix="kg-reason-") as tmp:
        path = Path(tmp) / "combined.nt"
        _combined(data).serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load()
        except Exception as exc:  # owlready2 raises bare exceptions on bad input
            raise ReasoningError(f"owlready2 could not load the graph: {exc}") from exc
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                           ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasoningReport(False, detail=_inconsistency(exc))
        except (OSError, owlready2.OwlReadyJavaError) as exc:
            raise ReasoningError(f"the reasoner failed to run: {str(exc).strip()[-500:]}",
                                 fix="check `java -version` works") from exc
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        return ReasoningReport(True, unsat)


def _inconsistency(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else "the graph contradicts the ontology's axioms"
