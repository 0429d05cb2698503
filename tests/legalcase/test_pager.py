"""The one pager of the list pages (jobs, a debtor's matters, a firm's activity)."""

from django.core.paginator import Paginator
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation


def render(number: int, *, pages: int = 3) -> str:
    page = Paginator(list(range(100 * pages)), 100).page(number)
    request = RequestFactory().get(f"/jobs/?kind=batch&page={number}")
    with translation.override("zh-hans"):
        return get_template("legalcase/_pager.html").render({"page": page}, request=request)


def test_the_pager_keeps_the_filters_and_links_both_ways_in_chinese():
    html = render(2)
    assert "第 2 / 3 页" in html
    assert 'href="?kind=batch&amp;page=1">上一页</a>' in html
    assert 'href="?kind=batch&amp;page=3">下一页</a>' in html


def test_the_first_and_last_pages_link_one_way_and_a_single_page_has_no_pager():
    assert "上一页" not in render(1) and "下一页" in render(1)
    assert "下一页" not in render(3) and "上一页" in render(3)
    assert render(1, pages=1).strip() == ""
