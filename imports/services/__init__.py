"""The import flow, in plain Python: start, scan, choose, run, undo.

1. :func:`start` makes an ``Import`` for an export that is already a sealed exhibit, and detects its format from
   the first 64 KiB and the file's name (``flow``, ``reading``).
2. :func:`scan` reads the whole export once (streamed from the sealed exhibit through the format's parser) and
   records the participants with their counts, for the person to pick the suspect's senders (``flow``).
3. :func:`choose` saves the person's choices (suspects, dates, time zone: ``clock``) and queues the import.
4. :func:`run` (a background task) stores every message and call in the chosen date range, in three phases:

   A. items (``store``): parsed and stored in batches, sender, recipients and text sealed, each with a stable
      identity (``identity``) so a message already stored by an earlier import is skipped; threat and night-time
      flags (``imports.flags``) are set as they are stored. Progress is saved every few thousand records.
   B. bursts (``bursts``): one ordered pass over the suspect's items of the days touched marks the bursts.
   C. incidents and media, in ONE transaction: one incident per local day per diary channel for the suspect's
      messages and calls (``days``), linked to the export exhibit; files attached inside a WhatsApp .zip become
      exhibits (``media``).

   If anything fails, everything the run stored is removed and the import is marked failed (``run``).
5. :func:`undo` retracts the incidents the import made, puts days it added to back as they were, and deletes its
   items (``undo``).

Refusals are ``imports.errors.ImportRefused`` (a sentence for the person). The flow's entry points are named here
for the views, the tasks and the benchmark; everything else is imported from its module.
"""

from imports.services.flow import Choices, choose, scan, start
from imports.services.run import run
from imports.services.undo import undo

__all__ = ["Choices", "choose", "run", "scan", "start", "undo"]
