"""Helpers for the account tests: a small HTML audit (the checks that need no browser) and TOTP codes."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal import auth as totp_auth
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LABELLABLE = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class PageAudit(HTMLParser):
    """Parses one page and lists what would fail Daybook's rules: CSP (no inline script, handler or style),
    one h1 and no skipped heading levels, every control labelled, no empty link or button, unique ids,
    and every in-page link (such as the error summary's) pointing at an element that exists."""

    headings: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    controls: list[tuple[str, str]] = field(default_factory=list)  # (id, description)
    fragment_links: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    scripts: list[dict[str, str]] = field(default_factory=list)
    _stack: list[tuple[str, dict[str, str], list[str]]] = field(default_factory=list)
    _label_depth: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        for name in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style attribute on <{tag}>")
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag == "script":
            self.scripts.append(attrs)
        if tag in LABELLABLE and not (tag == "input" and attrs.get("type", "text") in UNLABELLED_INPUT_TYPES):
            if not (self._label_depth or attrs.get("aria-label") or attrs.get("aria-labelledby")):
                self.controls.append((attrs.get("id", ""), f"<{tag} name={attrs.get('name')!r}>"))
        if tag == "a" and attrs.get("href", "").startswith("#") and len(attrs["href"]) > 1:
            self.fragment_links.append(attrs["href"][1:])
        if tag not in VOID:
            self._stack.append((tag, attrs, []))

    def handle_startendtag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs_list)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        for _tag, _attrs, texts in self._stack:
            texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, attrs, texts = self._stack.pop()
            if open_tag == "label":
                self._label_depth -= 1
            if open_tag == "script" and not attrs.get("src"):
                kind = attrs.get("type", "").lower()
                if kind != "application/json" and "".join(texts).strip():
                    self.problems.append("inline <script> with code")
            if open_tag in {"a", "button"} and not "".join(texts).strip() and not attrs.get("aria-label"):
                self.problems.append(f"empty <{open_tag}> {attrs}")
            if open_tag == tag:
                break

    def report(self) -> list[str]:
        out = list(self.problems)
        h1 = self.headings.count(1)
        if h1 != 1:
            out.append(f"{h1} h1 headings (want exactly one)")
        previous = 0
        for level in self.headings:
            if previous and level > previous + 1:
                out.append(f"heading level skips from h{previous} to h{level}")
            previous = level
        for control_id, description in self.controls:
            if not control_id or control_id not in self.label_for:
                out.append(f"no label for {description}")
        seen: set[str] = set()
        for i in self.ids:
            if i in seen:
                out.append(f"duplicate id {i!r}")
            seen.add(i)
        for target in self.fragment_links:
            if target not in seen:
                out.append(f"link to #{target}, which is not on the page")
        return out


def audit(html: str) -> list[str]:
    """What is wrong with a page, in words; an empty list when it passes."""
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser.report()


def external_scripts(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    return [s["src"] for s in parser.scripts if s.get("src")]


def totp_code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app would show now (or `offset` periods away), using allauth's own maths.

    Near the end of a period it waits for the next one, so that the code is still valid when a slow (busy)
    test machine gets the request to the server."""
    period = mfa_settings.TOTP_PERIOD
    remaining = period - time.time() % period
    if offset == 0 and remaining < 8:
        time.sleep(remaining + 0.05)
    counter = int(time.time()) // period + offset
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftPasskey:
    """A software passkey (one P-256 key, "none" attestation) that answers allauth's WebAuthn challenges the
    way a browser and authenticator would, so the server side can be tested end to end without a device.
    Mirrors what accounts/static/accounts/passkeys.js sends."""

    def __init__(self, origin: str = "http://testserver", rp_id: str = "testserver") -> None:
        self.origin = origin
        self.rp_id = rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle: bytes | None = None
        self.sign_count = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor.encode({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}).encode()

    def create(self, creation_options: dict) -> str:
        """The JSON for the hidden 'credential' field after navigator.credentials.create()."""
        pk = creation_options["publicKey"]
        self.user_handle = _unb64url(pk["user"]["id"])
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key()
        flags = 0x01 | 0x04 | 0x40  # user present, user verified, attested credential data
        auth_data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big") + attested
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        resident = (pk.get("authenticatorSelection") or {}).get("residentKey") == "required"
        return json.dumps(
            {
                "type": "public-key",
                "id": _b64url(self.credential_id),
                "rawId": _b64url(self.credential_id),
                "authenticatorAttachment": "platform",
                "response": {
                    "clientDataJSON": _b64url(self._client_data("webauthn.create", pk["challenge"])),
                    "attestationObject": _b64url(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {"credProps": {"rk": resident}},
            }
        )

    def get(self, request_options: dict) -> str:
        """The JSON for the hidden 'credential' field after navigator.credentials.get()."""
        pk = request_options["publicKey"]
        self.sign_count += 1
        flags = 0x01 | 0x04
        auth_data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", pk["challenge"])
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "type": "public-key",
                "id": _b64url(self.credential_id),
                "rawId": _b64url(self.credential_id),
                "authenticatorAttachment": "platform",
                "response": {
                    "clientDataJSON": _b64url(client_data),
                    "authenticatorData": _b64url(auth_data),
                    "signature": _b64url(signature),
                    "userHandle": _b64url(self.user_handle) if self.user_handle else None,
                },
                "clientExtensionResults": {},
            }
        )


def json_script_data(html: str, element_id: str) -> dict:
    """The data of a json_script block (<script id=... type="application/json">) in a page."""
    match = re.search(rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>', html, re.S)
    if not match:
        raise AssertionError(f"no json_script block #{element_id}")
    return json.loads(match.group(1))


# Flows the tests share, done the way a person would do them: through the pages.

TEST_PASSPHRASE = "correct horse battery staple"


def sign_in(client, email: str, passphrase: str = TEST_PASSPHRASE):  # noqa: ANN001, ANN201
    return client.post("/account/login/", {"login": email, "password": passphrase})


def confirm_passphrase(client, passphrase: str = TEST_PASSPHRASE) -> None:  # noqa: ANN001
    """allauth asks for the passphrase again before any change to two-step verification."""
    response = client.post("/account/reauthenticate/", {"password": passphrase})
    assert response.status_code == 302, _main(response)


def activate_totp(client) -> str:  # noqa: ANN001
    """Turn on the authenticator app from its page; returns the secret the app would hold."""
    html = client.get("/account/2fa/totp/activate/").content.decode()
    secret = re.search(r'<code id="authenticator-secret"[^>]*>([A-Z2-7]+)</code>', html).group(1)
    response = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, _main(response)
    return secret


def add_passkey(client, name: str = "My phone", passwordless: bool = True) -> SoftPasskey:  # noqa: ANN001
    """Add a passkey from its page, doing what passkeys.js does with the page's json_script data."""
    passkey = SoftPasskey()
    html = client.get("/account/2fa/webauthn/add/").content.decode()
    options = json_script_data(html, "passkey-data")["creation_options"]
    if passwordless:
        options["publicKey"].setdefault("authenticatorSelection", {})["residentKey"] = "required"
    data = {"name": name, "credential": passkey.create(options)}
    if passwordless:
        data["passwordless"] = "on"
    response = client.post("/account/2fa/webauthn/add/", data)
    assert response.status_code == 302, _main(response)
    return passkey


def _main(response) -> str:  # noqa: ANN001
    """The main part of a page, for assertion messages."""
    html = response.content.decode()
    match = re.search(r"<main.*?</main>", html, re.S)
    return (match.group(0) if match else html)[:3000]
