"""The French catalogue: complete for every text of the sources, its placeholders
the English ones, compiled, and used when the browser asks for French."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\{ *\w+ *\}\}")


def catalogue(path: Path, *, plurals: dict[str, str] | None = None) -> dict[str, list[str]]:
    """msgid (singular) → its msgstr forms, from a .po file; ``plurals``, when
    given, gets msgid → msgid_plural."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        fuzzy = False
        for line in block.splitlines():
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                fields[key] += _unquote(line)
                continue
            key, _, value = line.partition(" ")
            fields[key] = _unquote(value)
        if fields.get("msgid"):
            forms = [v for k, v in fields.items() if k.startswith("msgstr")]
            # A guess of msgmerge's is no translation.
            entries[fields["msgid"]] = [""] if fuzzy else forms
            if plurals is not None and "msgid_plural" in fields:
                plurals[fields["msgid"]] = fields["msgid_plural"]
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_text_is_translated_with_its_placeholders():
    plurals: dict[str, str] = {}
    entries = catalogue(PO, plurals=plurals)
    assert entries
    for msgid, forms in entries.items():
        assert forms, f"not translated: {msgid!r}"
        assert all(forms), f"not translated: {msgid!r}"
        if msgid not in plurals:
            # Every value the English shows, and no other (it would be missing).
            assert placeholders(forms[0]) == placeholders(msgid), (msgid, forms[0])
            continue
        # The singular may say the count or not; no form names a value the
        # English does not give, and the plural shows what the English plural shows.
        given = placeholders(msgid) | placeholders(plurals[msgid])
        assert all(placeholders(form) <= given for form in forms), (msgid, forms)
        assert placeholders(forms[-1]) == placeholders(plurals[msgid]), (msgid, forms[-1])


def test_the_compiled_catalogue_is_the_current_one():
    with MO.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    for msgid, forms in catalogue(PO).items():
        assert translations.gettext(msgid) == forms[0], f"{MO.name} is older than {PO.name}"


def test_the_catalogue_covers_every_text_of_the_sources(tmp_path):
    # GNU gettext (xgettext, msgmerge, msgfmt) is needed, as by `make messages`;
    # .ci/run installs it.
    assert shutil.which("xgettext"), "GNU gettext is missing: apt-get install gettext"
    # makemessages from a copy of the sources, so that the catalogue is untouched.
    for name in ("collections_app", "customers", "settings", "templates", "locale"):
        shutil.copytree(Path(settings.BASE_DIR) / name, tmp_path / name)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        patch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])
        call_command("makemessages", locale=["fr"], verbosity=0, no_obsolete=True)
    fresh = catalogue(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    missing = [msgid for msgid, forms in fresh.items() if not all(forms)]
    assert not missing, f"texts without a French translation (make messages): {missing[:5]}"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_a_french_browser_gets_the_french_interface(officer_client):
    response = officer_client.get(reverse("collections:my-actions"), HTTP_ACCEPT_LANGUAGE="fr")
    assertContains(response, '<html lang="fr">')
    assertContains(response, "Mes actions")
    response = officer_client.get(reverse("collections:my-actions"), HTTP_ACCEPT_LANGUAGE="en")
    assertContains(response, '<html lang="en-gb">')
    assertContains(response, "My actions")


def test_the_language_chosen_in_the_footer_sticks(client, officer):
    # On the sign-in page already, before anybody is signed in.
    login = reverse("login")
    page = client.get(login)
    assertContains(page, f'<input type="hidden" name="next" value="{login}">')
    response = client.post(reverse("set_language"), {"language": "fr", "next": login})
    assert (response.status_code, response["Location"]) == (302, login)
    assertContains(client.get(login), "Nom d’utilisateur")
    client.force_login(officer)
    actions = reverse("collections:my-actions")
    assertContains(client.get(actions, HTTP_ACCEPT_LANGUAGE="en"), "Mes actions")
    client.post(reverse("set_language"), {"language": "en-gb", "next": actions})
    assertContains(client.get(actions, HTTP_ACCEPT_LANGUAGE="fr"), "My actions")


def test_the_language_form_never_leads_off_the_site(officer_client):
    response = officer_client.post(
        reverse("set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")
