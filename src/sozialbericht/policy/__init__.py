"""Policy layer: the catalogues of plans, measures, strategies and participation formats the administration
edits (schemas, the register and its queries) and the recommendations matched to flagged Ortsteile.

May import: ``analysis``, ``data`` and the ground floor.
"""
