"""Every message the workspace's script writes exists in both languages, with the same
parameters, so no person ever reads a raw key such as ``js.say.registry.role.granted``."""

from __future__ import annotations

import re
import string

from ledger.kinds import ROLES
from procurement.vendors import QUALIFICATIONS
from workspace.i18n import CATALOGUE, script_messages
from workspace.rendering import STATIC, TEMPLATES

KEY_LITERAL = re.compile(r'"((?:js|role|qualification)\.[a-z_.]+[a-z_])"')


def parameters(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_the_script_names_is_in_both_catalogues() -> None:
    script = (STATIC / "workspace.js").read_text(encoding="utf-8")
    named = set(KEY_LITERAL.findall(script))
    assert {"js.accepted", "js.duplicate", "js.key.registered", "js.doc.bad"} <= named
    for language in CATALOGUE:
        assert named <= set(script_messages(language)), sorted(named - set(CATALOGUE[language]))


def test_every_form_has_its_plain_words_and_every_role_and_size_a_name() -> None:
    forms = set()
    for template in TEMPLATES.glob("*.html"):
        forms |= set(re.findall(r'data-statement="([a-z_.]+)"', template.read_text("utf-8")))
    assert forms == {
        "registry.key.registered",
        "registry.role.granted",
        "registry.role.revoked",
        "registry.key.revoked",
        "procurement.vendor.registered",
        "procurement.vendor.activated",
        "procurement.bid.submitted",
        "procurement.bid.withdrawn",
        "procurement.member.box_key_registered",
        "procurement.tender.shares_released",
    }
    wanted = (
        {f"js.say.{form}" for form in forms}
        | {"js.say.procurement.bid.replaced"}  # the bid form's, when a bid is active
        | {f"role.{role}" for role in ROLES}
        | {f"qualification.{size}" for size in QUALIFICATIONS}
    )
    for language in CATALOGUE:
        assert wanted <= set(script_messages(language)), sorted(wanted - set(CATALOGUE[language]))


def test_both_languages_take_the_same_parameters() -> None:
    indonesian, english = CATALOGUE["id"], CATALOGUE["en"]
    assert set(indonesian) == set(english)
    differ = [key for key in indonesian if parameters(indonesian[key]) != parameters(english[key])]
    assert differ == []
