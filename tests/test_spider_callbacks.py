"""The spider's callbacks return no value: Scrapy's per-response check of it is
off (WARN_ON_GENERATOR_RETURN_VALUE, crawler/settings.py), so it is checked here."""

import inspect

from scrapy.utils.misc import is_generator_with_return_value

from crawler import settings
from crawler.spiders.annual_reports import AnnualReportsSpider


def test_no_callback_generator_returns_a_value():
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    callbacks = [fn for name, fn in inspect.getmembers(AnnualReportsSpider, inspect.isgeneratorfunction)]
    assert len(callbacks) >= 8  # parse_page, parse_report, parse_attachment, ... are generators
    assert [fn.__name__ for fn in callbacks if is_generator_with_return_value(fn)] == []
