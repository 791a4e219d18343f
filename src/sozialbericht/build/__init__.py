"""Build layer: the pipeline from inputs to a published edition — notebook runner and kernel reset, Jupyter Book
and its Sphinx extensions, downloads, the release and ``verify``.

May import: every layer below (``report``, ``policy``, ``analysis``, ``data``) and the ground floor.
"""
