"""Publishing: canonical exports, a static linked-data site, VoID/DCAT descriptions."""

from kg.publish.export import FORMATS, ExportReport, export, normalise_format
from kg.publish.site import SiteReport, publish_site

__all__ = ["FORMATS", "ExportReport", "SiteReport", "export", "normalise_format", "publish_site"]
