"""Third-party redaction for subject access packs (design 3.9).

Whose details are removed: the suspect named on the client's referrals, the household and whoever referred, the
children on safeguarding concerns, and any other person the organisation holds (another client, another record's
suspect) whose name appears in free text. Other people's names are found without decrypting their records: every
run of two or three words in the text is normalised and blind-indexed (casework/index.py) and compared with the
organisation's name tokens, except the requester's own.
"""

from __future__ import annotations

import re

from care.models import SafeguardingConcern
from casework.models import Client, IndexEntry, IndexKind, Referral
from organisations.normalise import normal_name

REDACTED = "[redacted: another person]"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


class Redactor:
    def __init__(self, client: Client) -> None:
        self.client = client
        org = client.organisation
        own = set(IndexEntry.objects.filter(client=client, referral__isnull=True, kind=IndexKind.NAME).values_list("token", flat=True))
        others = IndexEntry.objects.filter(organisation=org, kind__in=[IndexKind.NAME, IndexKind.SUSPECT_NAME]).values_list("token", flat=True)
        self.tokens = set(others) - own
        self.names: set[str] = set()
        for referral in Referral.objects.filter(client=client):
            referral.client = client
            for name in (referral.suspect_name,):
                if name and name.strip():
                    self.names.add(name.strip())
        for concern in SafeguardingConcern.objects.filter(client=client):
            concern.client = client
            for child in concern.children or []:
                if (child.get("name") or "").strip():
                    self.names.add(child["name"].strip())
        # Single words of known third-party names (a first name alone) are removed too, except words of the
        # requester's own name.
        own_words = set(normal_name(client.full_name or "").split())
        self.words = {w for n in self.names for w in normal_name(n).split() if len(w) > 2 and w not in own_words}

    def text(self, value: str | None) -> str:
        if not value:
            return ""
        out = str(value)
        for name in sorted(self.names, key=len, reverse=True):
            out = re.sub(re.escape(name), REDACTED, out, flags=re.IGNORECASE)
        out = self._blind(out)
        if self.words:
            out = _WORD.sub(lambda m: REDACTED if normal_name(m.group(0)) in self.words else m.group(0), out)
        return out

    def _blind(self, text: str) -> str:
        if not self.tokens:
            return text
        org = self.client.organisation
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        cut: list[tuple[int, int]] = []
        i = 0
        while i < len(spans):
            hit = 0
            for size in (3, 2):
                if i + size <= len(spans):
                    words = " ".join(text[a:b] for a, b in spans[i : i + size])
                    if org.blind_token(IndexKind.NAME, normal_name(words)) in self.tokens:
                        hit = size
                        break
            if hit:
                cut.append((spans[i][0], spans[i + hit - 1][1]))
                i += hit
            else:
                i += 1
        for a, b in reversed(cut):
            text = text[:a] + REDACTED + text[b:]
        return text


def named_as_suspect_elsewhere(client: Client) -> int:
    """How many other records of the organisation name this client as the suspect (for staff only, never in a pack)."""
    own = IndexEntry.objects.filter(client=client, referral__isnull=True, kind=IndexKind.NAME).values_list("token", flat=True)
    return IndexEntry.objects.filter(organisation=client.organisation, kind=IndexKind.SUSPECT_NAME, token__in=list(own)).exclude(client=client).count()
