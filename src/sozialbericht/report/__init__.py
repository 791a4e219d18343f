"""Report layer: everything a reader sees — the edition's shared results, chapters, steering pages, profiles,
fixed pages, charts, tables and the German text layer (sentence templates, grammar and method texts).

May import: ``policy``, ``analysis``, ``data`` and the ground floor.
"""
