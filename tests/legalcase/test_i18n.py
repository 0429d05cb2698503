"""Translations: the compiled catalogue matches its source, and the pages switch language."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_matter, make_user

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def entries(catalogue) -> set[tuple]:
    found = set()
    for entry in catalogue:
        if entry.obsolete:
            continue
        plural = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items())) if entry.msgid_plural else ()
        found.add((entry.msgctxt, entry.msgid, entry.msgid_plural or None, entry.msgstr, plural))
    return found


def test_the_compiled_catalogue_is_up_to_date_with_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    assert entries(po) == entries(mo), "run: DEBUG=1 python manage.py compilemessages -l zh_Hans"


def test_every_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    live = [entry for entry in po if not entry.obsolete]
    assert live
    untranslated = [entry.msgid for entry in live if not entry.translated()]
    fuzzy = [entry.msgid for entry in live if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []
    assert not po.metadata_is_fuzzy


@pytest.mark.django_db
def test_pages_are_in_simplified_chinese_by_default(client):
    make_matter()
    client.force_login(make_user())
    html = client.get(reverse("matter_list")).content.decode()
    assert "案件编号" in html and "诉请金额" in html and "收案" in html
    assert "Matter number" not in html


@pytest.mark.django_db
def test_the_language_switch_shows_english_and_back(client):
    matter = make_matter()
    client.force_login(make_user())
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("matter_list")})
    assert response.status_code == 302
    html = client.get(reverse("matter_list")).content.decode()
    assert "Matter number" in html and "Intake" in html and "Log out" in html
    assert "案件编号" not in html
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert "Outstanding total" in html and "Timeline" in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("matter_list")})
    html = client.get(reverse("matter_list")).content.decode()
    assert "案件编号" in html


@pytest.mark.django_db
def test_error_messages_follow_the_language(client):
    matter = make_matter()
    client.force_login(make_user())
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("matter_transition", args=[matter.pk]), {"to": "judgment"}, follow=True)
    assert "A matter in stage “Intake” cannot move to “Judgment”." in response.content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    client.force_login(make_user("counsel"))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "案件列表" in html
    client.cookies["django_language"] = "en"
    assert "Matters" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
