"""Word normalization shared by the vocabulary and the texts it is matched against (pure)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Ligatures NFKD leaves alone ("main-d'œuvre").
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# French elided articles and pronouns before a vowel: l'accueil, d'asile, qu'un, s'installer.
# "sûr" (safe) would fold to the stop word "sur" (on).
SAFE = re.compile(r"\bsûr(e?)(s?)\b", re.IGNORECASE)
ELISION = re.compile(r"\b(?:l|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu)['’`´]", re.IGNORECASE)
# Combining diacritical marks (what NFKD separates from Latin letters).
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
TOKEN = re.compile(r"[a-z0-9]+(?:\+)?")

# Function words of the three languages: they never make two texts about the same thing.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being between both
but by can could did do does doing down during each few for from further had has have having he her here hers
how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
across among within without towards how using use used based way ways
au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me meme
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos
votre vous ete etre avoir fait faire comme plus moins entre sans sous vers chez afin ainsi dont tout tous toute
toutes autre autres lors selon parmi apres avant aupres
al algo algunas algunos ante antes como con contra cual cuando del desde donde durante el ella ellas ellos
en entre era es esa esas ese eso esos esta estas este esto estos fue ha hay la las le les lo los mas mi mis
muy nos o otra otras otro otros para pero por que quien quienes se sin sobre su sus tambien te tu un una unas
uno unos y ya mediante hacia segun cada tras ante
""".split())


def fold(text: str) -> str:
    """Lower case without accents or ligatures ("Réfugiés" -> "refugies", "œuvre" -> "oeuvre")."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(LIGATURES))
    return COMBINING.sub("", decomposed).casefold()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem merging plurals and gender endings of English, French and Spanish ("detenciones" -> "detencion")."""
    # Plural -s (not after s, u or i: "status", "analysis"), French -aux/-eaux, -ies and a final -y as -i
    # ("authorities"/"authority", "réfugiés"/"réfugié"), then a final -e, -o or -a when at least four
    # letters remain ("procédures"/"procedure" -> "procedur", "refugiadas"/"refugiado" -> "refugiad").
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("eaux"):
        word = word[:-1]
    elif word.endswith("aux") and len(word) > 4:
        word = word[:-3] + "al"
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) >= 5 and word[-1] in "eoa":
        word = word[:-1]
    elif len(word) > 3 and word[-1] == "y":
        word = word[:-1] + "i"
    return word


def content_words(text: str) -> list[str]:
    """Folded words without elided articles, stop words and single letters (in text order, not stemmed)."""
    folded = ELISION.sub(" ", fold(SAFE.sub(r"sure\2", text or "")).replace("’", "'"))
    return [w for w in TOKEN.findall(folded) if (len(w) > 1 or w.isdigit()) and w not in STOPWORDS]


def stems(text: str) -> list[str]:
    """The stems of the content words of ``text``, in order."""
    return [stem(w.rstrip("+")) if not w.endswith("+") else w for w in content_words(text)]
