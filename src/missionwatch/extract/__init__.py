"""Report -> Extraction. See ``pipeline.extract``."""

from missionwatch.extract.pipeline import EXTRACTOR_VERSION, extract, extract_many

__all__ = ["EXTRACTOR_VERSION", "extract", "extract_many"]
