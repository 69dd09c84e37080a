"""Parser for government information-disclosure annual reports (政府信息公开工作年度报告).

    from parse.report import parse_document, parse_path
    report = parse_path("report.html")
    report.to_dict()

See :mod:`parse.report` for the pipeline and :mod:`parse.model` for the output.
"""

from .errors import UnreadableDocument
from .model import Metric, ParsedReport, ParseWarning
from .report import parse_document, parse_path

__all__ = ["Metric", "ParseWarning", "ParsedReport", "UnreadableDocument", "parse_document", "parse_path"]
