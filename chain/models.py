"""One row per entry of a case's hash chain. Rows are only ever added (see chain.services)."""

from __future__ import annotations

from django.db import models


class ChainEntry(models.Model):
    # A string reference: the chain sits below every app and imports none of them.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="chain")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    ref = models.CharField(max_length=64)
    at = models.CharField(max_length=40)  # the exact timestamp string that was hashed
    payload_sha256 = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        db_table = "diary_chainentry"  # the table the diary created; the model moved here without moving data
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind} {self.ref}"
