"""Data layer: the open-data client, the parsers of its formats, the geography, aggregation to Stadtbezirke and
city, and the tidy inputs of an edition. The only code that touches the network or a file format of the source.

May import: the ground floor (``settings``, ``errors``, ``fmt``). Nothing above it.
"""
