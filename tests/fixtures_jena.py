"""Apache Jena TDB2 for tests: its bulk loader and query tool from Debian's libapache-jena-java.

Debian packages Jena's libraries and command classes (``tdb2.tdbloader``, ``tdb2.tdbquery``) but
no Fuseki server, so Jena takes part in the bulk-load parity only. Two things make the packaged
jars runnable: a class path without the clashing slf4j bindings that ``/usr/share/java/*`` holds,
and Xerces' message files copied to where the relocated Xerces classes look for them (the
package keeps them under ``org/apache/jena/ext/xerces`` while the classes sit in ``xerces``;
without them every command dies initialising XSD datatypes).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

JAVA_DIR = Path("/usr/share/java")
#: what libapache-jena-java depends on (its Debian Depends), plus an slf4j binding that logs nothing
DEPENDENCIES = ("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
                "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
                "jackson-annotations", "jsonld-java", "jakarta.json-api", "titanium-json-ld", "protobuf", "thrift",
                "slf4j-api", "slf4j-nop")
XERCES_MESSAGES = "org/apache/jena/ext/xerces/"


@dataclass
class JenaTDB2:
    java: str
    classpath: str

    def _run(self, *args: str) -> str:
        done = subprocess.run([self.java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", self.classpath, *args],
                              capture_output=True, timeout=600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"jena {args[0]} failed: {done.stderr.decode('utf-8', 'replace')[-2000:]}")
        return done.stdout.decode("utf-8")

    def load(self, location: Path, files: list[Path]) -> None:
        """TDB2's bulk loader: quads go to their graphs, triples to the default graph."""
        self._run("tdb2.tdbloader", "--loc", str(location), *map(str, files))

    def query(self, location: Path, text: str) -> dict[str, Any]:
        """SPARQL JSON results of one query on the TDB2 database, with TDB2's default settings."""
        query_file = location.with_name(location.name + "-query.rq")
        query_file.write_text(text, encoding="utf-8")
        doc: dict[str, Any] = json.loads(self._run("tdb2.tdbquery", "--loc", str(location), "--results=json",
                                                   "--query", str(query_file)))
        return doc


def jena_tdb2(workdir: Path) -> JenaTDB2:
    """Jena TDB2's commands, or a skip saying what is missing."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless libapache-jena-java)")
    jars = sorted(p for p in JAVA_DIR.glob("jena-*.jar") if not re.search(r"-\d+\.\d+", p.stem))  # unversioned
    if not any(p.name == "jena-tdb2.jar" for p in jars):
        pytest.skip("Apache Jena is not installed (apt-get install libapache-jena-java)")
    deps = [JAVA_DIR / f"{name}.jar" for name in DEPENDENCIES]
    missing = [p.name for p in deps if not p.is_file()]
    if missing:
        pytest.skip(f"Jena's dependencies are missing: {', '.join(missing)} (apt-get install libapache-jena-java)")
    messages = workdir / "jena-xerces"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(XERCES_MESSAGES) and not name.endswith("/"):
                target = messages / "xerces" / name[len(XERCES_MESSAGES):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return JenaTDB2(java, ":".join([str(messages), *map(str, jars), *map(str, deps)]))
