"""Hostile templates: none of these payloads executes, wherever it sits in the document.

Each payload is tried in the body, in a header and in the document title. Two layers
are tested separately: the upload check refuses it (nothing stored), and the sandboxed
environment alone, with the static check bypassed, still does not run it.
"""

import pytest
from django.core.exceptions import ValidationError
from jinja2 import TemplateError

from templates_docx.models import DocumentTemplate
from templates_docx.pool import RenderFailed
from templates_docx.rendering import ENVIRONMENT, sha256
from templates_docx.sample import SAMPLE_CONTEXT
from templates_docx.services import template_check, template_store
from tests.factories import make_user
from tests.templates_docx.docx_samples import make_template

SENTINEL = "/tmp/fasu-sandbox-escaped"
COMMAND = f"touch {SENTINEL}"

PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.popen('" + COMMAND + "').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('" + COMMAND + "').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('" + COMMAND + "').read() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('" + COMMAND + "') }}",
    "{{ range.__class__ }}",
    "{{ debtor|attr('__class__') }}",
    "{{ (debtor|attr('__class__')|attr('__mro__'))[1]|attr('__subclasses__') }}",
    "{{ debtor.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ debtor.name.__class__.__base__.__subclasses__() }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(debtor) }}",
    "{{ '%s'|format(debtor) }}",
    "{{ '{0}'.format(debtor.name) }}",
    "{{ debtor.name.upper() }}",
    "{{ debt.principal.as_tuple() }}",
    "{{ guarantors.append(debtor) }}",
    "{% set x = debtor.update({'name': 'X'}) %}{{ debtor.name }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ config }}",
    "{{ request.environ }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}",
    "{% autoescape false %}{{ debtor.name }}{% endautoescape %}",
    "{{ debtor.name|safe }}",
    "{{ debtor|map(attribute='__class__')|list }}",
    "{{ today.replace(year=1).__class__ }}",
    "{{ debtor.items() }}",
]
PLACES = ("body", "header", "title")


def _template(payload: str, place: str) -> bytes:
    if place == "body":
        return make_template(payload)
    if place == "header":
        return make_template("{{ debtor.name }}", header=payload)
    return make_template("{{ debtor.name }}", title=payload)


@pytest.fixture(autouse=True)
def no_sentinel():
    import os

    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
    yield
    assert not os.path.exists(SENTINEL), "a template ran a shell command"


def test_there_are_at_least_twenty_payloads():
    assert len(PAYLOADS) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_upload_check_refuses_every_payload_and_stores_nothing(payload, place):
    admin = make_user("admin")
    content = _template(payload, place)
    with pytest.raises(ValidationError) as refused:
        template_store(user=admin, code="hostile", name="恶意模板", content=content, activate=True)
    assert refused.value.message_dict["file"]
    assert not DocumentTemplate.objects.filter(code="hostile").exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sandbox_alone_does_not_run_any_payload(payload):
    """With the static check bypassed, the environment itself refuses or renders harmlessly."""
    try:
        output = ENVIRONMENT.from_string(payload).render(SAMPLE_CONTEXT)
    except (TemplateError, TypeError):
        return
    # What little renders is inert text: no objects, classes, functions or raw XML.
    for leak in ("<class", "function", "built-in", "module", "TemplateReference"):
        assert leak not in output


def test_the_render_pool_refuses_a_payload_that_skipped_the_upload_check(strict_pool):
    content = make_template(PAYLOADS[0])
    with pytest.raises(RenderFailed):
        strict_pool.render(template=content, digest=sha256(content), context=SAMPLE_CONTEXT)


def test_values_are_escaped_so_data_cannot_inject_word_xml(strict_pool):
    content = make_template("{{ debtor.name }}")
    context = {**SAMPLE_CONTEXT, "debtor": {**SAMPLE_CONTEXT["debtor"], "name": '张伟</w:t></w:r><w:r><w:t>注入 & "x"'}}
    docx, _ = strict_pool.render(template=content, digest=sha256(content), context=context)
    from tests.templates_docx.docx_samples import read_back

    assert '张伟</w:t></w:r><w:r><w:t>注入 & "x"' in read_back(docx)["body"]


def test_a_variable_the_sample_lacks_is_refused_at_upload():
    with pytest.raises(ValidationError) as refused:
        template_check(make_template("{{ debtor.nmae }}"))
    assert "未知变量 debtor.nmae" in refused.value.message_dict["file"][0]
