"""Runaway templates end within their limits, and the next render works."""

import time

import pytest

from templates_docx.pool import RenderFailed
from templates_docx.rendering import sha256
from templates_docx.sample import SAMPLE_CONTEXT
from tests.templates_docx.docx_samples import make_template, read_back

GOOD = make_template("被告：{{ debtor.name }}")

RUNAWAYS = {
    "nested loops": "{% for a in debtor.name * 9000 %}{% for b in debtor.name * 9000 %}{% endfor %}{% endfor %}",
    "output that grows without end": (
        "{% for a in debtor.name * 9000 %}{% for b in debtor.name * 9000 %}{{ debtor.name * 9000 }}{% endfor %}{% endfor %}"
    ),
    "a huge string": "{{ debtor.name * 100000000 }}",
    "a huge number": "{{ 9 ** 99999999 }}",
}


@pytest.mark.parametrize("body", RUNAWAYS.values(), ids=RUNAWAYS.keys())
def test_a_runaway_template_ends_within_its_limit_and_the_next_render_works(strict_pool, body):
    content = make_template(body)
    started = time.monotonic()
    with pytest.raises(RenderFailed) as failed:
        strict_pool.render(template=content, digest=sha256(content), context=SAMPLE_CONTEXT)
    # The pool's limit is 3 s; killing and replacing the child costs well under a second more.
    assert time.monotonic() - started < strict_pool.seconds + 2
    assert str(failed.value)
    docx, _ = strict_pool.render(template=GOOD, digest=sha256(GOOD), context=SAMPLE_CONTEXT)
    assert "被告：张伟" in read_back(docx)["body"]


def test_a_timeout_says_so_in_chinese(strict_pool):
    content = make_template(RUNAWAYS["nested loops"])
    with pytest.raises(RenderFailed, match="超时|内存"):
        strict_pool.render(template=content, digest=sha256(content), context=SAMPLE_CONTEXT)
