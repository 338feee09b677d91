"""A small HTTP client for talking to triplestores: keep-alive, retries, credentials that never leak.

stdlib only (http.client): one persistent connection per endpoint host, bounded
exponential back-off on 5xx / timeouts / connection errors, and every message
that leaves this module passes through ``Credentials.redact``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import secrets
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from kg.errors import PushError

RETRY_STATUSES = {500, 502, 503, 504, 429}
#: ``user:password@`` in a URL
_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[\x21-\x7e]+")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
#: ``key="value"`` or ``key=token`` in a WWW-Authenticate header
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))')


@dataclass(frozen=True)
class Credentials:
    """HTTP basic (user + password) or bearer token; repr and messages never show the secret.

    A value read from a file with Windows line ends (``KG_PUSH_TOKEN=$(cat token.txt)``) keeps
    a trailing ``\r``: line ends around a value are dropped (spaces too, for a user or a token),
    and a value that still holds a control character is refused without ever being shown.
    """

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        user = self.user.strip() if self.user is not None else None
        password = self.password.strip("\r\n") if self.password is not None else None
        token = self.token.strip() if self.token is not None else None
        object.__setattr__(self, "user", user)
        object.__setattr__(self, "password", password or None)
        object.__setattr__(self, "token", token or None)
        if user is not None and (_CONTROL.search(user) or ":" in user):
            raise PushError("the user name holds a control character or ':'", fix="check --user / $KG_PUSH_USER")
        if password and _CONTROL.search(password):
            raise PushError("the password holds a control character (a line break inside it?); it is not shown",
                            fix="check the password variable (--password-env): one line, no control characters")
        if token and not _TOKEN.fullmatch(token):
            raise PushError("the bearer token holds a space, a control character or a non-ASCII character; it is "
                            "not shown", fix="check the token variable (--token-env): one line of printable ASCII")

    def __repr__(self) -> str:
        kind = "bearer" if self.token else ("basic" if self.user else "none")
        return f"Credentials({kind}, user={self.user!r}, secret=***)"

    def header(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None:
            raw = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return {}

    def secrets(self) -> list[str]:
        """Every form a secret may take in a message: as given, percent-encoded, in the Authorization header."""
        out = [s for s in (self.password, self.token) if s]
        out += [quote(s, safe="") for s in out]
        out += [v.split(" ", 1)[1] for v in self.header().values()]
        return sorted(set(out), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret, and any ``user:password@`` in a URL, replaced by ``***``."""
        for secret in self.secrets():
            text = text.replace(secret, "***")
        return _USERINFO.sub("***@", text)

    def excerpt(self, data: bytes | str, limit: int = 200) -> str:
        """The start of a server's answer for a message: redacted first, then cut, on one line.

        Cutting first could leave the start of a secret that no longer matches in full.
        """
        longest = max((len(s) for s in self.secrets()), default=0)
        keep = 4 * limit + longest  # characters read: room for runs of spaces that collapse below
        if isinstance(data, bytes):
            cut = len(data) > 4 * keep
            data = data[:4 * keep].decode("utf-8", "replace")
        else:
            cut = False
        cut = cut or len(data) > keep
        text = self.redact(data[:keep])
        if cut:  # the end may hold the first characters of a secret cut in two: never shown
            text = text[:len(text) - longest]
        text = _SPACES.sub(" ", text).strip()
        return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


class TransportError(Exception):
    """The request could not be completed after all retries (no HTTP status, or a 5xx)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Client:
    """Requests to one or more URLs, reusing a connection per (scheme, host, port)."""

    def __init__(self, credentials: Credentials | None = None, *, timeout: float = 60.0, retries: int = 5,
                 backoff: float = 0.5, max_backoff: float = 30.0, verify_tls: bool = True,
                 ca_bundle: str | None = None) -> None:
        self.credentials = credentials or Credentials()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        try:
            self.ssl_context = ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise PushError(f"cannot use the CA bundle: {exc}", where=ca_bundle,
                            fix="give a PEM file of CA certificates") from None
        if not verify_tls:
            self.ssl_context.check_hostname = False
            self.ssl_context.verify_mode = ssl.CERT_NONE
        self._conns: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}
        self._answered: set[tuple[str | None, int | None]] = set()  # (host, port) that answered once
        self._digest: dict[tuple[str | None, int | None], Digest] = {}  # the last digest challenge per server
        self._no_basic: set[tuple[str | None, int | None]] = set()  # servers never sent a basic password

    def expect_digest(self, url: str) -> None:
        """The server of ``url`` wants digest authentication: never send it the password in basic form."""
        parts = urlsplit(url)
        self._no_basic.add((parts.hostname, parts.port))

    def expects_digest(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.hostname, parts.port) in self._no_basic

    def _auth(self, method: str, url: str, *, send: bool) -> dict[str, str]:
        """The Authorization header for one request: digest once challenged, else basic or bearer."""
        parts = urlsplit(url)
        key = (parts.hostname, parts.port)
        creds = self.credentials
        if not send:
            return {}
        if key in self._digest and creds.user is not None and not creds.token:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            return {"Authorization": self._digest[key].answer(method, path, creds.user, creds.password or "")}
        if key in self._no_basic and not creds.token:
            return {}
        return creds.header()

    def _challenged(self, url: str, resp: http.client.HTTPResponse) -> bool:
        """Take a digest challenge from a 401; True when the request is worth sending again with it."""
        creds = self.credentials
        header = resp.getheader("WWW-Authenticate", "")
        if creds.user is None or creds.token or not header.lower().startswith("digest"):
            return False
        parts = urlsplit(url)
        key = (parts.hostname, parts.port)
        old = self._digest.get(key)
        new = Digest.parse(header)
        if new is None:
            return False
        self._digest[key] = new
        self._no_basic.add(key)
        return old is None or new.stale  # a second plain 401 to a digest answer: wrong credentials

    def answered(self, url: str) -> None:
        """Note that the server of ``url`` answered: from now on, a refused connection is a passing fault."""
        parts = urlsplit(url)
        self._answered.add((parts.hostname, parts.port))

    def down(self, url: str, exc: BaseException) -> PushError | None:
        """The error to stop at once with when the server of ``url`` was never reached and cannot be.

        A refused connection or an unknown host name on first contact means a server that is not
        running or a wrong URL: no retry fixes that, so say it at once, in one line.
        """
        parts = urlsplit(url)
        if (parts.hostname, parts.port) in self._answered:
            return None
        where = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        if isinstance(exc, ConnectionRefusedError):
            return PushError("cannot connect: connection refused", where=where,
                             fix="is the triplestore running, on this port? check --endpoint")
        if isinstance(exc, socket.gaierror):
            return PushError(f"cannot find the host {parts.hostname!r} ({exc.strerror or exc})", where=where,
                             fix="check the host name in --endpoint")
        return None

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def _conn(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        if key not in self._conns:
            if scheme == "https":
                self._conns[key] = http.client.HTTPSConnection(host, port, timeout=self.timeout,
                                                               context=self.ssl_context)
            else:
                self._conns[key] = http.client.HTTPConnection(host, port, timeout=self.timeout)
        return self._conns[key]

    def _drop(self, scheme: str, host: str, port: int | None) -> None:
        conn = self._conns.pop((scheme, host, port), None)
        if conn is not None:
            conn.close()

    def pause(self, attempt: int) -> None:
        """The back-off before retry number ``attempt`` (1, 2, ...): exponential, bounded."""
        time.sleep(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, *, auth: bool = True) -> Response:
        """Send with retries; returns any non-retryable response (caller checks the status).

        ``auth=False``: send no credentials (a probe). A 401 with a digest challenge is answered
        once with digest authentication (not counted as a retry).
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {url}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        last = ""
        status: int | None = None
        attempt = 0
        challenges = 0
        while attempt <= self.retries:
            if attempt:
                self.pause(attempt)
            attempt += 1
            all_headers = {"User-Agent": "diplomacy-kg", **(headers or {}), **self._auth(method, url, send=auth)}
            conn = self._conn(parts.scheme, parts.hostname, parts.port)
            try:
                conn.request(method, path, body=body, headers=all_headers)
                resp = conn.getresponse()
                data = resp.read()
            except ssl.SSLCertVerificationError as exc:  # a wrong setup, not a passing fault: no retry
                self._drop(parts.scheme, parts.hostname, parts.port)
                raise untrusted(parts.hostname, parts.port, exc) from None
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop(parts.scheme, parts.hostname, parts.port)
                down = self.down(url, exc)
                if down is not None:
                    raise down from None
                last, status = f"{type(exc).__name__}: {exc}", None
                continue
            except ValueError:  # a header value http.client refuses: never quote it, it may be a secret
                self._drop(parts.scheme, parts.hostname, parts.port)
                raise PushError("a request header holds a character HTTP does not allow (not shown)", where=url,
                                fix="check the credentials and --endpoint for stray line breaks") from None
            self._answered.add((parts.hostname, parts.port))
            if resp.getheader("Connection", "").lower() == "close":
                self._drop(parts.scheme, parts.hostname, parts.port)
            if resp.status == 401 and auth and challenges < 2 and self._challenged(url, resp):
                challenges += 1
                attempt -= 1  # answering a challenge is not a retry
                continue
            if resp.status in RETRY_STATUSES:
                last = f"HTTP {resp.status} {self.credentials.excerpt(resp.reason, 60)}: " \
                       f"{self.credentials.excerpt(data)}"
                status = resp.status
                continue
            return Response(resp.status, data, {k.lower(): v for k, v in resp.getheaders()})
        raise TransportError(self.credentials.redact(
            f"{method} {url} failed after {self.retries + 1} attempts: {last}"), status)


@dataclass
class Digest:
    """An HTTP digest challenge (RFC 7616, MD5 with qop=auth, as Virtuoso asks) and its answers."""

    realm: str
    nonce: str
    opaque: str | None
    qop: str | None
    stale: bool
    count: int = 0

    @classmethod
    def parse(cls, header: str) -> Digest | None:
        fields = {k.lower(): v1 or v2 for k, v1, v2 in _PARAM.findall(header.partition(" ")[2])}
        if fields.get("algorithm", "MD5").upper() != "MD5" or "nonce" not in fields:
            return None
        qops = [q.strip() for q in fields.get("qop", "").split(",") if q.strip()]
        return cls(fields.get("realm", ""), fields["nonce"], fields.get("opaque"),
                   "auth" if "auth" in qops else None, fields.get("stale", "").lower() == "true")

    def answer(self, method: str, path: str, user: str, password: str) -> str:
        def md5(text: str) -> str:
            return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()

        self.count += 1
        ha1, ha2 = md5(f"{user}:{self.realm}:{password}"), md5(f"{method}:{path}")
        nc, cnonce = f"{self.count:08x}", secrets.token_hex(8)
        digest = md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:auth:{ha2}") if self.qop else md5(f"{ha1}:{self.nonce}:{ha2}")
        parts = [f'username="{user}"', f'realm="{self.realm}"', f'nonce="{self.nonce}"', f'uri="{path}"',
                 f'response="{digest}"', 'algorithm="MD5"']
        if self.opaque is not None:
            parts.append(f'opaque="{self.opaque}"')
        if self.qop:
            parts += [f"qop={self.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(parts)


def untrusted(host: str | None, port: int | None, exc: ssl.SSLCertVerificationError) -> PushError:
    """The error for a server whose TLS certificate is not trusted: a wrong setup, never retried."""
    where = f"{host}:{port}" if port else str(host)
    return PushError(f"the TLS certificate of {where} is not trusted ({exc.verify_message})",
                     fix="pass --ca-bundle FILE with the CA that signed it, or --insecure to skip "
                         "verification (not recommended)")
