"""Analysis layer: indicators computed from the inputs, the early-warning system and the findings.
Returns numbers and tables, never German prose or Markdown.

May import: ``data`` and the ground floor (``settings``, ``errors``, ``fmt``).
"""
