"""Sealed storage shared by evidence, reports and imports: the segmented AES-GCM file format (``stream``), the
keys derived from a case's data key (``keys``) and the files in Django's storage (``store``).

It imports none of the apps that use it: a case and a blob row are passed in (duck-typed: a case has ``uuid``,
``wrapped_key`` and ``ensure_key()``; a blob row has ``uuid``, ``name``, ``size``, ``stored_size`` and
``segment_size``), so it sits below them all with the kernel.
"""
