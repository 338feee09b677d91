"""What ``kg serve`` checks before it evaluates anything: federated calls, the Host header, body lengths.

- ``SERVICE``: a query with one makes the server call another URL (server-side request
  forgery: ``SERVICE <http://127.0.0.1:PORT/admin>`` reaches what only the server can
  reach). Federated queries are refused unless the server was started with hosts to allow,
  and then only to those hosts, named by a full ``<http(s)://…>`` IRI (a variable, a
  prefixed name or a relative IRI could point anywhere). Oxigraph follows no redirects.
- ``Host``: a web page on a name the attacker controls can re-point that name at 127.0.0.1
  (DNS rebinding) and read the answers as same-origin; a browser always sends the page's
  name in ``Host``, so only IP literals, ``localhost`` and names given at start are served.
- ``Content-Length``: ASCII digits only, one value, within the limit; nothing else is read.

The query scan is lexical and errs on the side of refusing: comments, strings, IRIs,
variables and prefixed names are set aside the way the SPARQL grammar delimits them, and
any other word containing ``service`` counts as the keyword. It runs twice, once on the
text with ``\\u`` escapes decoded, so that no reading of the escapes can hide one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<long>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')
  | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<word>[^\s{}()\[\];,.<>"'\#=!&|*+/^]+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Service:
    """One ``SERVICE`` in a query: its IRI when written as a full IRI, else None."""

    iri: str | None


def _tokens(query: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "other"):
            yield kind, match.group()


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _UCHAR.sub(one, text)


def _scan(query: str) -> list[Service]:
    found: list[Service] = []
    tokens = list(_tokens(query))
    for i, (kind, text) in enumerate(tokens):
        if kind != "word" or text[0] in "?$" or ":" in text or "service" not in text.lower():
            continue
        target = None
        if text.lower() == "service":
            rest = tokens[i + 1:i + 3]
            if rest and rest[0][0] == "word" and rest[0][1].lower() == "silent":
                rest = rest[1:]
            if rest and rest[0][0] == "iri":
                target = _unescape(rest[0][1][1:-1])
        found.append(Service(target))
    return found


def services(query: str) -> list[Service]:
    """Every ``SERVICE`` of ``query`` (or word that could be one), read with and without escapes decoded."""
    return _scan(query) + _scan(_unescape(query))


def service_refusal(query: str, allowed: frozenset[str]) -> str | None:
    """Why ``query`` may not run on this server (its SERVICE calls), or None when it may."""
    calls = services(query)
    if not calls:
        return None
    if not allowed:
        return ("federated queries (SERVICE) are off: this endpoint calls no other server unless kg serve "
                "is started with --allow-service HOST")
    for call in calls:
        if call.iri is None:
            return "SERVICE must name its endpoint by a full IRI (<https://host/…>) so that its host can be checked"
        parts = urlsplit(call.iri)
        host = (parts.hostname or "").rstrip(".")
        if parts.scheme not in ("http", "https") or not host:
            return "SERVICE must name an http(s) endpoint by a full IRI (<https://host/…>)"
        port = f"{host}:{parts.port}" if parts.port else host
        if host not in allowed and port not in allowed:
            return f"SERVICE to {host} is not allowed on this endpoint (allowed: {', '.join(sorted(allowed))})"
    return None


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without port or brackets, lower case."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def host_allowed(header: str | None, allowed: Iterable[str]) -> bool:
    """Is a request with this ``Host`` header for us (not a rebound name)? No header: not a browser, yes."""
    if header is None:
        return True
    name = host_name(header)
    if name == "localhost" or name in allowed:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


_DIGITS = re.compile(r"[0-9]{1,15}")


def body_length(headers: Message, limit: int) -> tuple[int, int, str]:
    """(length, 0, "") for a body we may read, or (-1, HTTP status, message) to refuse it unread."""
    if headers.get("Transfer-Encoding") is not None:
        return -1, 411, "send the body with a Content-Length (chunked or other transfer codings are not accepted)"
    values = headers.get_all("Content-Length") or []
    if not values:
        return -1, 411, "a POST needs a Content-Length header"
    if len(values) > 1:
        return -1, 400, "more than one Content-Length header"
    value = values[0].strip()
    if not _DIGITS.fullmatch(value):
        return -1, 400, "Content-Length must be a number of bytes (digits only)"
    length = int(value)
    if length > limit:
        return -1, 413, f"query too large: {length:,} bytes (the limit is {limit:,})"
    return length, 0, ""
