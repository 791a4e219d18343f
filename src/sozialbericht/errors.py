"""Errors that stop a build with a message a planner can act on."""


class SozialberichtError(Exception):
    """Base class: the message names the file, the row or the request and what to do."""


class DataSourceError(SozialberichtError):
    """The data source cannot deliver a dataset (network, missing file, unknown title)."""


class ParseError(SozialberichtError):
    """A response or file does not have the layout the statistics API uses."""


class GeographyError(SozialberichtError):
    """An area name or code does not match Leipzig's Ortsteile and Stadtbezirke."""


class CatalogueError(SozialberichtError):
    """A data file authored by the project (catalogue, configuration) is invalid."""
