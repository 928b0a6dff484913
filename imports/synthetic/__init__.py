"""Synthetic exports for every format Daybook imports, with the ground truth to compare a parse against.

Every generator is deterministic for a given ``seed`` and returns a ``Sample`` (file name, bytes, ``Expected``).
The ``write_*`` functions stream a large export straight to disk (for the benchmarks: 200 000 WhatsApp messages or
SMS records in a few seconds) and return the ``Expected`` counts without keeping the records.

One module a format (``whatsapp_export``, ``sms_export``, ``telegram_export``, ``messenger_export``, ``mail_export``,
``signal_export``,
``csv_export``) over ``common`` (names, texts, ``Expected``, ``Sample``); the generators are named here, as the tests
and benchmarks use them.

Nothing here is real data: names, numbers (Ofcom drama ranges 07700 900xxx) and texts are made up.
"""

from imports.synthetic.common import LONDON, Expected, ExpectedRecord, Sample
from imports.synthetic.csv_export import csv_generic
from imports.synthetic.mail_export import eml, mbox, multipart_eml, undated_eml, undated_mbox
from imports.synthetic.messenger_export import messenger
from imports.synthetic.signal_export import signal_export
from imports.synthetic.sms_export import calls_xml, sms_xml, write_sms_xml, xml_entity_bomb
from imports.synthetic.telegram_export import telegram
from imports.synthetic.whatsapp_export import WhatsAppStyle, whatsapp, write_whatsapp

__all__ = [
    "csv_generic",
    "eml",
    "mbox",
    "messenger",
    "multipart_eml",
    "signal_export",
    "undated_eml",
    "undated_mbox",
    "telegram",
    "Expected",
    "ExpectedRecord",
    "Sample",
    "WhatsAppStyle",
    "calls_xml",
    "LONDON",
    "sms_xml",
    "whatsapp",
    "write_sms_xml",
    "write_whatsapp",
    "xml_entity_bomb",
]
