"""SPARQL 1.1 Update requests through SPARQLWrapper: what ``kg push`` uses for stores without GSP.

SPARQLWrapper builds each request (``POST`` with an ``application/sparql-update``
body, the query type check, HTTP basic auth from ``setCredentials``, a custom
``Authorization: Bearer`` header for tokens); this module adds what it lacks:

- the push's TLS settings (``--ca-bundle``, ``--insecure``) and no redirects (a
  redirect would resend the credentials to another URL, or turn the POST into a
  GET): SPARQLWrapper opens URLs with urllib's process-wide opener, so ``_query``
  is overridden to open them with an opener of our own;
- digest authentication (Virtuoso's ``/sparql-auth``) without SPARQLWrapper's process-wide
  opener: a digest handler of our own answers the challenge;
- sub-second timeouts (``setTimeout`` takes whole seconds);
- retries with bounded exponential back-off on 5xx / 429, timeouts and lost
  connections, the same policy as ``kg.publish.http_client.Client``;
- secrecy: SPARQLWrapper's and urllib's messages can carry the URL and the
  server's answer, so every message that leaves this module is redacted, and
  exceptions are raised without their chain.
"""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request
from typing import Any

from kg.errors import PushError
from kg.publish.http_client import RETRY_STATUSES, Client, Response, TransportError, untrusted


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx is answered as an HTTPError, i.e. reported, never followed


def _wrapper(endpoint: str, client: Client) -> Any:
    from SPARQLWrapper import POST, POSTDIRECTLY, SPARQLWrapper, __version__

    from kg import __version__ as kg_version

    creds = client.credentials
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({}), _NoRedirect(),
                                                  urllib.request.HTTPSHandler(context=client.ssl_context)]
    if creds.user is not None and creds.password and not creds.token:  # answers a digest challenge (Virtuoso)
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoint, creds.user, creds.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    opener = urllib.request.build_opener(*handlers)

    class Wrapper(SPARQLWrapper):
        def _query(self) -> tuple[Any, str]:
            return opener.open(self._createRequest(), timeout=client.timeout), self.returnFormat

    wrapper = Wrapper(endpoint, updateEndpoint=endpoint,
                      agent=f"diplomacy-kg/{kg_version} (SPARQLWrapper {__version__})")
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY)  # the update as the body, not a form: no percent-encoding
    if creds.token:
        wrapper.addCustomHttpHeader("Authorization", f"Bearer {creds.token}")
    elif client.expects_digest(endpoint):
        pass  # never the password in basic form: the digest handler answers the server's challenge
    elif creds.user is not None and creds.password:
        wrapper.setCredentials(creds.user, creds.password)
    elif creds.user is not None:  # SPARQLWrapper sends no basic auth without a password
        wrapper.addCustomHttpHeader("Authorization", creds.header()["Authorization"])
    return wrapper


class UpdateClient:
    """Sends SPARQL Update requests to one endpoint; ``update`` returns any answer no retry can fix."""

    def __init__(self, endpoint: str, client: Client) -> None:
        self.endpoint = endpoint
        self.client = client  # credentials, timeout, retries, back-off and TLS settings
        self._wrapper: Any = None

    def update(self, text: str) -> Response:
        """POST ``text``; a 2xx or another non-retryable status is returned, else TransportError."""
        client = self.client
        if self._wrapper is None:
            self._wrapper = _wrapper(self.endpoint, client)
        self._wrapper.setQuery(text)
        last, status = "", None
        for attempt in range(client.retries + 1):
            if attempt:
                client.pause(attempt)
            try:
                result = self._wrapper.query()
                with result.response as resp:
                    client.answered(self.endpoint)
                    return Response(resp.status, resp.read(), {k.lower(): v for k, v in resp.getheaders()})
            except urllib.error.HTTPError as exc:
                client.answered(self.endpoint)
                body = exc.read()
                exc.close()
                if exc.code not in RETRY_STATUSES:
                    return Response(exc.code, body, {k.lower(): v for k, v in (exc.headers or {}).items()})
                creds = client.credentials
                last, status = f"HTTP {exc.code} {creds.excerpt(str(exc.reason), 60)}: {creds.excerpt(body)}", exc.code
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, ssl.SSLCertVerificationError):
                    raise self._untrusted(exc.reason) from None
                down = client.down(self.endpoint, exc.reason) if isinstance(exc.reason, BaseException) else None
                if down is not None:
                    raise down from None
                last, status = f"{type(exc.reason).__name__}: {exc.reason}", None
            except ssl.SSLCertVerificationError as exc:
                raise self._untrusted(exc) from None
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                down = client.down(self.endpoint, exc)
                if down is not None:
                    raise down from None
                last, status = f"{type(exc).__name__}: {exc}", None
            except ValueError:  # a header value urllib refuses: never quote it, it may be a secret
                raise PushError("a request header holds a character HTTP does not allow (not shown)",
                                where=self.endpoint, fix="check the credentials for stray line breaks") from None
        raise TransportError(client.credentials.redact(
            f"POST {self.endpoint} failed after {client.retries + 1} attempts: {last}"), status)

    def _untrusted(self, exc: ssl.SSLCertVerificationError) -> Exception:
        from urllib.parse import urlsplit

        parts = urlsplit(self.endpoint)
        return untrusted(parts.hostname, parts.port, exc)
