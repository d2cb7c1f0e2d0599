"""Keyword lists used only to PROPOSE candidate lines for labelling (never to label)."""

import re

KEYWORDS = {
    "paywall": r"abonn|abo\b|abos\b|subscri|suscri|assin|abbonam|abbonat|premium|\bplus\b|weiterlesen|exklusiv|freischalt|testen|digital-?zugang|unlimited|paywall|kostenpflichtig|zugang|lesen sie weiter|read more|continue reading|seguir leyendo|il vous reste|réservé",  # noqa: E501
    "registration": r"registr|anmeld|einlogg|log ?in|sign ?in|account|konto|connexion|connecter|sesión|accedi|login|passwort|password",  # noqa: E501
    "donation": r"donat|spend|unterstütz|support|contribu|\bdon\b|faire un don|\bdona|doaç|patreon|paypal|steady|förder",  # noqa: E501
    "newsletter": r"newsletter|sign ?up|inbox|e-?mail|infolettre|boletín|inscri|postfach",
    "social": r"\bshare|teilen|twitter|facebook|whatsapp|pinterest|linkedin|xing|instagram|youtube|follow|folgen sie|folge uns|suivez|síguenos|partager|compartir|condividi|tweet|drucken|\bprint|telegram|flipboard|reddit|rss|pocket",  # noqa: E501
    "ads": r"anzeige|advert|werbung|sponsor|publicit|publicidad|pubblicit|promot|gesponsert|paid|partner|\bad\b|\bads\b|affiliate|provision",  # noqa: E501
    "cookies": r"cookie|consent|tracking|einwilligung|zustimm|akzept|accept|datenschutzeinstellung|privacy settings",
    "related": r"lesen sie auch|mehr zum thema|related|read also|read more|könnte sie|auch interessant|weitere artikel|more from|most read|meistgelesen|lire aussi|te puede|leggi anche|leia também|recommend|empfehl|top stories|mehr aus|das könnte|also read|see also|more stories|you may also|mehr zu|weitere news|ähnliche",  # noqa: E501
    "comments": r"comment|kommentar|leserbrief|diskut|reply|antwort|commenta|comentario|leave a|schreiben sie|meinung|opinion|disqus",  # noqa: E501
    "credits": r"foto:|fotos:|bild:|photo:|©|\(c\)|credit|getty|\bdpa\b|imago|keystone|reuters|\bafp\b|ap photo|image:|quelle:|shutterstock|istock|picture alliance|picture-alliance|foto ?©",  # noqa: E501
}
ANY = re.compile("|".join(f"(?:{v})" for v in KEYWORDS.values()), re.I)
CAT = {k: re.compile(v, re.I) for k, v in KEYWORDS.items()}
