"""The shared spaCy pipeline: `spacy.blank("en")` with a tokenizer that splits money and numbers
the way news writes them, plus a sentencizer.

No statistical model exists on this machine (and none is needed): every later layer works on
tokens, lexicons and Matcher patterns. The tokenizer tweaks make each number its own token so a
lexicon lookup can see the currency, the scale and the unit beside it:

    "US$339.7"  -> US$ | 339.7          "£1.3bn"  -> £ | 1.3 | bn      "R14.9" -> R | 14.9
    "RM1.2"     -> RM | 1.2             "5-6%"    -> 5 | - | 6 | %
    "$5-$7"     -> $ | 5 | - | $ | 7    "2021–2025" -> 2021 | – | 2025
    "8%-9%"     -> 8 | % | - | 9 | %
    "1.2m teu"  -> 1.2 | m | teu        "164p"    -> 164 | p
    "R15,72-billion" -> R | 15,72 | - | billion     "$9.08billion" -> $ | 9.08 | billion

Other layers may add components after the sentencizer; keep `get_nlp()` the one place that
builds the pipeline so every caller tokenizes identically (spans found by one layer are valid
for the next).
"""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from extractor.patterns import load_family
from extractor.vocabulary import currency_codes

# Currency prefixes glued to the number ("US$5", "RM1.2", "Rs1,000", "EUR5bn"). Letter codes
# only split when a digit follows, so words that merely start with these letters are untouched.
CURRENCY_PREFIXES = [
    r"(?:US|NT|HK|A|AU|C|CA|S|SG|NZ|R|Z|M)\$",
    r"\$(?:US|A|NZ|C)(?=[0-9])",  # "$US55,931,000", "$A82.6 million"
    r"(?:PS|Y=)(?=[0-9])",  # ASCII transliterations of £ and ¥ ("PS6m", "Y=28,030")
    r"(?:RM|Rs\.?|Rp|Tk|RMB|Dh|SR)(?=[0-9])",
    # rand: "R14.9", "R20bn", "R15,72-billion" (South African style), not "R2-D2"
    r"R(?=[0-9][0-9.,]*(?:bn|mn|m|k|tn|-?(?:billion|million|trillion|bn|m))?$)",
    r"[₩₹₽₺₱₫฿₪₦¢]",
]


def currency_code_prefix() -> str:
    """Every ISO code the unit lexicon reads ("EUR5bn", "ZAR20m"), glued to a digit."""
    return "(?:" + "|".join(sorted(currency_codes())) + ")(?=[0-9])"


# Scales and compact units glued to the end of a number ("1.3bn", "25k", "164p", "5pp",
# "1.2m"). Only after a digit, so ordinary words keep their shape.
NUMBER_SUFFIXES = [
    r"(?<=[0-9])(?:bn|Bn|BN|mn|Mn|MN|mln|bln|trn|tn|Tn|TN|m|M|k|K|b|B|p|pc|pp|ppt|bps|bp)",
    # Whole scale words glued on by careless copy ("$9.08billion", "Rs.1,30,525.08crore").
    r"(?<=[0-9])(?:thousand|million|billion|trillion|crores?|lakhs?)",
]
# Hyphens and dashes between numbers or before a currency symbol make ranges ("5-6%",
# "2021–2025", "$5-$7").
RANGE_INFIXES = [
    r"(?<=[0-9])[-–—](?=[0-9$£€¥₩₹])",
    r"(?<=[0-9])%(?=[-–—][0-9])",  # "8%-9%": the first percent sign and the dash
    r"(?<=[0-9]%)[-–—](?=[0-9])",
    r"(?<=[-–—])[$£€¥₩₹](?=[0-9])",
]


def glued_unit_suffixes() -> list[str]:
    """Unit abbreviations written straight after a number ("10kW", "250ml", "3min", "35C"),
    taken from patterns/units.jsonl so the tokenizer and the unit lexicon never disagree."""
    surfaces = set()
    for entry in load_family("units"):
        text = entry.pattern
        if " " in text or not text or len(text) > 5 or text[0].isdigit():
            continue
        if any(c in text for c in "$£€¥₩₹₪.%=") or entry.position == "pre":
            continue
        if text.isalpha() and text.islower() and len(text) > 3:
            continue  # whole words ("tons") are written apart
        surfaces.add(text)
    surfaces.add("sq")
    alternation = "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))
    return [rf"(?<=[0-9])(?:{alternation})"]


@cache
def get_nlp() -> Language:
    """The one shared pipeline (cached): tuned tokenizer + sentencizer."""
    nlp = spacy.blank("en")
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)  # a blank pipeline's; typed as any callable
    prefixes = [*CURRENCY_PREFIXES, currency_code_prefix(), *(nlp.Defaults.prefixes or [])]
    suffixes = NUMBER_SUFFIXES + glued_unit_suffixes() + list(nlp.Defaults.suffixes or [])
    infixes = RANGE_INFIXES + list(nlp.Defaults.infixes or [])
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # "d." is an initial in spaCy's exceptions, which glued the stop to a sentence-final
    # "b/d." (barrels a day) so the unit was not seen.
    tokenizer.rules = {k: v for k, v in (tokenizer.rules or {}).items() if k != "d."}
    nlp.add_pipe("sentencizer")
    return nlp
