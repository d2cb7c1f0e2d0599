"""The shipped rule set: complete, self-consistent, and right on the seed article."""

from collections import Counter
from pathlib import Path

import pytest

from stripper import RuleSet, clean
from stripper.ruletest import check_rules

SHARED = Path(__file__).parent.parent.parent / "shared"
SEED = SHARED / "examples" / "jns-ukraine.txt"
VERDICTS = SHARED / "examples" / "jns-ukraine.expected.tsv"

CATEGORIES = {
    "paywall", "registration", "donation", "newsletter", "social",
    "ads", "cookies", "related", "comments", "credits",
}  # fmt: skip
APPEAL_CATEGORIES = ("paywall", "registration", "donation", "newsletter")
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")


@pytest.fixture(scope="module")
def default() -> RuleSet:
    return RuleSet.default()


def test_default_rules_are_found_by_the_installed_package(default):
    assert len(default) >= 150
    assert CATEGORIES <= {r.category for r in default}


def test_every_rule_has_examples_and_counterexamples(default):
    for rule in default:
        assert rule.examples and rule.counterexamples, rule.id
        assert rule.id.startswith(rule.category + "."), rule.id


def test_appeal_categories_cover_seven_languages(default):
    have = Counter((r.category, r.lang) for r in default)
    missing = [(c, lang) for c in APPEAL_CATEGORIES for lang in LANGUAGES if not have[c, lang]]
    assert not missing


def test_every_example_and_counterexample_holds(default):
    failures = check_rules(default, require_counterexamples=True)
    assert not failures, "\n".join(map(str, failures[:20]))


@pytest.mark.skipif(not SEED.exists(), reason="shared examples not present")
def test_seed_article_with_default_rules(default):
    result = clean(SEED.read_text(encoding="utf-8"), default)
    out = result.text.split("\n")
    for n, verdict, category, line in (r.split("\t", 3) for r in VERDICTS.read_text("utf-8").splitlines()[1:]):
        if verdict == "keep":
            assert line in out, f"content line {n} lost"
        elif category == "duplicate":
            assert out.count(line) == 1
        elif verdict == "remove":
            assert line not in out, f"boilerplate line {n} kept: {line}"


# Multi-line boxes as sites print them: a heading, a sentence no rule knows, bare amounts, fields and buttons.
BOXES = {
    "de-donation": [
        "Unterstützen Sie unabhängigen Journalismus",
        "Jeder Beitrag hilft uns weiter.",
        "Wir finanzieren uns über Spenden.",
        "5 €",
        "10 €",
        "Anderer Betrag",
        "Jetzt spenden",
    ],
    "de-newsletter": [
        "Newsletter",
        "Die wichtigsten Nachrichten des Tages direkt in Ihr Postfach",
        "Ihre E-Mail-Adresse",
        "Jetzt anmelden",
        "Abmeldung jederzeit möglich.",
    ],
    "en-donation": [
        "Before you go...",
        "We're a nonprofit newsroom and rely on readers like you.",
        "Give monthly",
        "$5",
        "$10",
        "Other amount",
        "Donate now",
    ],
    "en-newsletter": [
        "Sign up for our newsletter",
        "Get the day's top stories delivered to your inbox every morning.",
        "Email address",
        "Subscribe",
        "By signing up, you agree to our Terms of Use and Privacy Policy.",
    ],
    "fr-newsletter": ["Recevez notre newsletter", "Votre adresse e-mail", "Je m'inscris"],
    "es-paywall": [
        "Este contenido es exclusivo para suscriptores",
        "Suscríbete para seguir leyendo",
        "$195/mes",
        "Cancela cuando quieras",
        "Ya soy suscriptor",
    ],
}


@pytest.mark.parametrize("name", sorted(BOXES))
def test_multi_line_boxes_go_whole_and_the_article_stays(default, name):
    top = "Die Stadt plant den Umbau des Bahnhofs bis 2027, wie der Bürgermeister am Montag mitteilte.\n"
    end = "Der Gemeinderat will im Herbst über die Pläne abstimmen.\n"
    result = clean(top + "\n".join(BOXES[name]) + "\n" + end, default)
    assert result.text == top + end
    assert len(result.removals) == len(BOXES[name])


# The singular is an opinion kicker or an analysis's sub-heading ("Komentarz" above an OSW analysis's bullet
# points, "Comment" above a Telegraph column); inside a comment form it is the label of the text field.
KICKERS = ["Comment", "Commentaire", "Comentario", "Commento", "Comentário", "Komentarz", "Kommentar"]
# Section headings and table cells that share a word with a box: a paper's "Discussion", a kicker "EXCLUSIVO", a
# French round-up's "Réactions", a price table's "Monatlich", a Spanish "Clave".
KICKERS += ["Discussion", "Report", "EXCLUSIVO", "Réactions", "Monthly", "Single", "Monatlich", "Maandelijks", "Clave"]
# Section headings of explainers on giving and subscriptions.
KICKERS += ["Dons", "Donaciones", "Donazioni", "Suscripción", "Abbonamento", "Assinatura", "Advertising"]


@pytest.mark.parametrize("word", KICKERS)
def test_comment_kicker_between_paragraphs_stays(default, word):
    text = (
        "Premier Babiš poinformował w sobotę o wydaleniu 18 pracowników ambasady.\n"
        f"{word}\n"
        "- Informacja o ataku zmusiła władze do zdecydowanej reakcji.\n"
    )
    assert clean(text, default).text == text


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("Comment", ["Leave a Reply", "Your email address will not be published. Required fields are marked *"]),
        ("Commentaire", ["Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée."]),
        ("Komentarz", ["Dodaj komentarz", "Twój adres e-mail nie zostanie opublikowany."]),
    ],
)
def test_comment_label_inside_a_comment_form_goes(default, word, form):
    top = "Premier Babiš poinformował w sobotę o wydaleniu 18 pracowników ambasady.\n"
    result = clean(top + "\n".join([*form, word]) + "\n", default)
    assert result.text == top


# The prompt of a form's e-mail field is also a step of a how-to ("2. Enter your email address"), and a quota
# message a line of a bank app's manual: alone between steps they stay, next to a box they go.
PROMPTS = [
    ("Enter your email address", "Sign up for our newsletter"),
    ("Geben Sie Ihre E-Mail-Adresse ein", "Melden Sie sich für unseren Newsletter an"),
    ("Ihr Kontingent ist aufgebraucht.", "Lesen Sie weiter mit unserem Digital-Abo"),
    ("Introduce tu correo electrónico", "Suscríbete a nuestro boletín"),
    ("Digite seu e-mail", "Assine nossa newsletter"),
    ("Vul je e-mailadres in", "Schrijf je in voor onze nieuwsbrief"),
    ("Saisissez votre adresse e-mail", "Recevez notre newsletter"),
    ("Inserisci la tua email", "Iscriviti alla newsletter"),
    ("Wpisz swój adres e-mail", "Zapisz się do newslettera"),
]


@pytest.mark.parametrize(("prompt", "box"), PROMPTS)
def test_form_prompt_stays_as_a_step_and_goes_in_a_box(default, prompt, box):
    steps = f"1. Open the app and tap Settings.\n{prompt}\n3. Tap Next and wait for the code.\n"
    assert clean(steps, default).text == steps
    top = "The council approved the budget on Monday after a long debate.\n"
    result = clean(top + f"{box}\n{prompt}\n", default)
    assert result.text == top
