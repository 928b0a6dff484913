"""The shared kernel: what several apps need and that depends on no app.

Canonical JSON and hashing (``canonical``), envelope encryption (``crypto``), the sealed-field descriptor
(``sealed``). Nothing here imports a Daybook app; every app may import from here.
"""
