"""Names in a press release: partners (organisations) and products, and the aliases that tie
their other names together. Rules and word lists only, no names of real companies or products:
organisations come from corporate suffixes and industry words ("Pharma AG", "Biologics, Inc."),
from the slots of partnership phrases ("learned from X that", "agreements with X, Y and Z"),
from the ``ORG (PRODUCT)`` list grammar, and from what the company's earlier releases and the
configuration already know; products come from code-name patterns (``ABC-214``, ``huX242-DM1``),
INN stems (``-mab``, ``-tinib``, ``-imod``, two-word conjugates and gene therapies) and what is
already known.

Pure: ``Recognizer(context, texts)`` learns what one release says about names (short forms,
renames, mergers, acquisitions, code name -> generic name) and then finds the mentions of each
sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from watcher.models import AliasLink

# --------------------------------------------------------------------------- word lists

LEGAL_SUFFIXES = (
    r"Co\.,?\s+Ltd\.?|Pty\.?\s+Ltd\.?|Inc\.?|Incorporated|Corp\.?|Corporation|Co\.|Company|"
    r"Ltd\.?|Limited|plc|PLC|p\.l\.c\.|AG|S\.A\.S\.|S\.A\.|SA|SE|N\.V\.|NV|GmbH|KGaA|LLC|"
    r"L\.L\.C\.|L\.P\.|LP|B\.V\.|BV|K\.K\.|A/S|ASA|AB|Oy|S\.p\.A\.|S\.r\.l\.|SAS"
)
INDUSTRY_WORDS = (
    r"Pharmaceuticals?|Pharma|Therapeutics|Biosciences?|Biotech|Biotechnology|Biologics|"
    r"Biopharma(?:ceuticals)?|BioPharma|Biotherapeutics|Genomics|Genetics|Oncology|"
    r"Laboratories|Labs|Medicines|Vaccines|Healthcare|Life\s+Sciences|Chemie|Chemicals|"
    r"Yakuhin|Seiyaku|Pharmazeutika"
)
_GROUP_WORDS = r"Group|Holdings|International|Worldwide|Global"
# A capitalized word of a name: "Smith-Jones", "O'Neill", "BioGen", "3M" is not handled.
_CAP = r"[A-Z][A-Za-z0-9'’\-]*[A-Za-z0-9]|[A-Z]"
_NAME_WORD = rf"(?:{_CAP}|&)"

_ORG_SUFFIXED = re.compile(
    rf"(?<![\w\-])((?:{_NAME_WORD})(?:\s+(?:{_NAME_WORD})){{0,5}}?)"
    rf"(?:,?\s+(?:{_GROUP_WORDS}))?,?\s+(?:{LEGAL_SUFFIXES})(?![A-Za-z])"
)
_ORG_INDUSTRY = re.compile(
    rf"(?<![\w\-])((?:{_CAP})(?:\s+(?:{_CAP})){{0,2}}?\s+(?:{INDUSTRY_WORDS})"
    rf"(?:\s+(?:{_GROUP_WORDS}))?)(?![\w\-])"
)
# Every legal suffix starts with one of these words: sentences without any name no company
# by its suffix.
_ANY_SUFFIX = re.compile(
    r"\b(?:Inc|Corp|Co|Ltd|Limited|plc|PLC|AG|SA|SE|NV|GmbH|KGaA|LLC|LP|BV|K\.K|A/S|ASA|AB|"
    r"Oy|S\.A|N\.V|L\.P|L\.L\.C|B\.V|S\.p\.A|S\.r\.l|SAS|Company|Corporation|Incorporated|"
    r"p\.l\.c|Pty)\b")
_SUFFIX_AT_END = re.compile(rf",?\s+(?:{LEGAL_SUFFIXES})$")
_INDUSTRY_AT_END = re.compile(rf"\s+(?:{INDUSTRY_WORDS})(?:\s+(?:{_GROUP_WORDS}))?$")

# Words that start a sentence or a clause and are not part of a name.
_LEADING_NOISE = frozenset("""
the a an this that these those its it our we they their his her today separately also and or
in on at for of from by with under when while after before following since during as both
each every all other such via per about according including through between among
""".split())
# Capitalized words that are never (the start of) a partner's name.
_NOT_NAMES = frozenset("""
the a an this that these those its it our we they he she company companies phase item
fda ema ind nda bla maa sec nasdaq nyse amex u.s us usa uk europe european japan japanese
china chinese korea asia asian america american north south east west board chairman ceo
cfo president director officer department under in on at for of and or but however
following today january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday research
development agreement license collaboration clinical investigational new drug
application food administration securities exchange commission mr ms mrs dr prof
annual quarter year years first second third fourth net total revenue revenues cash
phase i ii iii program programs trial trials study studies statements statement risk
risks forward-looking contact contacts investor investors media chief vice senior
executive head global national federal state university institute hospital center
centre society foundation conference symposium meeting congress association agency
ministry office group inc corp ltd plc ag sa nv llc lp co
""".split())
# A name followed by one of these is an event or an institution, not a company.
_EVENT_WORDS = re.compile(
    r"^(?:\s+(?:[A-Z][\w\-]*|&|of|and|on|for))*?\s+(?:Conference|Symposium|Meeting|Congress|"
    r"Summit|Forum|Institute|University|Hospital|Foundation|Society|Center|Centre|Award|"
    r"Prize|Index|Association|Workshop|Lecture|Day)\b"
)
_PERSON_AFTER = re.compile(r"^,?\s+(?:Ph\.?D|M\.?D|MBA|M\.B\.A|Jr|Sr|J\.D|Pharm\.?D)\b")
_GENERIC_SHORT = frozenset("""
american national general united international first new global pacific atlantic royal
standard advanced applied united allied central northern southern eastern western great
british european japanese chinese swiss german french canadian life bio pharma medical
""".split())
# Industry words that open a name in some languages ("Laboratorios Acme", "Farmaceutici
# Rossi"): the short form is the word after.
_LEADING_INDUSTRY = frozenset("""
laboratorios laboratoires laboratori laboratorio laboratórios farmaceutici farmaceutica
farmacéutica farmacêutica industrias industrie grupo groupe gruppo instituto istituto
""".split())
_REGULATORS = re.compile(
    r"\b(?:Food and Drug Administration|FDA|European Medicines Agency|EMA|Medicines Agency|"
    r"Securities and Exchange Commission|SEC|Ministry of Health|Health Canada|PMDA|MHRA|"
    r"Federal Institute|National Cancer Institute|National Institutes? of Health|NIH)\b"
)

# --------------------------------------------------------------------------- products

_CODE = re.compile(
    r"(?<![\w\-])("
    r"(?:[a-z]{1,2}[A-Z][A-Za-z]{0,3}|[A-Z]{1,5}[a-z]?)"       # ABC, huX, XYZ, SB, Ab
    r"(?:-\d{1,6}|\d{3,6})(?:[a-z](?![a-z]))?"                  # -214, 2704, -19a
    r"(?:[A-Z]{1,3}\d{0,3})?"                                   # XYZ591DM1
    r"(?:-[A-Z][A-Za-z]{0,3}\d{1,4})?"                          # huX242-DM1
    r")(?![\w\-])"
)
_CONJUGATE = re.compile(r"(?<![\w\-])([A-Z][a-z]{3,}(?:mab|MAB))-([A-Z]{1,4}\d{1,3})(?![\w\-])")
_NOT_CODE_PREFIX = re.compile(
    r"^(?:Phase|Form|Item|Rule|Section|Schedule|Exhibit|Note|Notes|Q[1-4]|FY|H[12]|No|Nos|"
    r"Nasdaq|NYSE|COVID|SARS|Class|Series|Tier|Level|Grade|Stage|Type|Part|ISO|ICD|CFR|GMP|"
    r"Study|Cohort|Arm|Day|Week|Month|Year|Suite|Floor|Unit|Route|Box|Suite|Ext|Fax|Tel|"
    r"Room|Building|Figure|Table|Appendix)\b", re.IGNORECASE)
# What follows a code that names a target, an antigen or a tool rather than a product.
_TARGET_AFTER = re.compile(
    r"^(?:-(?:targeted|targeting|positive|negative|high|low|expressing|mutated|mutant|"
    r"directed|specific|driven|dependent|binding|associated|deficient))|"
    r"^\s+(?:antigens?|receptors?|proteins?|glycoproteins?|oncoproteins?|genes?|capsids?|"
    r"kinases?|cells?|cell\s+lines?|mutations?|expression|levels?|pathways?|enzymes?|"
    r"messenger|mRNA|RNA|DNA|targets?|inhibitors?|ligands?|isoforms?|subtypes?|payloads?|"
    r"linkers?|platform|technology|library|process|cohorts?|grants?|assays?|domains?|"
    r"sites?|variants?|alleles?|antibod(?:y|ies)|serotypes?|vectors?|promoters?|"
    r"trial|study|studies|program\s+grant|cytotoxic|agents?|toxins?|spectrum|"
    r"selective|activity|signaling|signalling|family|status)\b"
)
_TARGET_BEFORE = re.compile(
    r"(?:\b(?:targets?|targeting|binds?|binding|against|anti|expressing|express|inhibitor of|"
    r"inhibitors of|antigen|receptor|enzyme|protein|capsid|capsids|Form|Rule|"
    r"mutations? in|encoding|encodes|trial|study|antibody|antibodies|agent|payload|linker)"
    r"\s+(?:the\s+)?|anti-)$", re.IGNORECASE)
_INN_STEMS = (
    r"mab|tinib|ciclib|parib|rafenib|degib|lisib|zomib|metinib|sertib|tansine|"
    r"imod|kinra|platin|taxel|rubicin|tecan|gliptin|gliflozin|sartan|previr|buvir|asvir|"
    r"navir|ciclovir|lukast|setron|tegrast|siran|rsen|leucel|gene|parvovec|repvec|"
    r"stat|cept|tide|vec"
)
_INN = re.compile(rf"(?<![\w\-])([A-Za-z][a-z]{{3,}}(?:{_INN_STEMS}))(?![\w\-])")
_PAYLOAD_WORD = re.compile(
    r"^\s+([a-z]{2,}(?:tansine|dotin|tecan|micin|mycin|rine|tin|xin|pegol|toxin|vec|"
    r"sudotox|aritox|lutetium|tesirine))(?![\w\-])")
_NOT_INN = frozenset("""
concept except accept intercept percept precept peptide nucleotide oligonucleotide
polypeptide dipeptide tripeptide statistic thermostat rheostat hemostat homeostat gene genes
transgene oncogene progene antigene dermatitis platinum vector advocate estate protect
peptides
""".split())
# A code-shaped name given as a trial's: "ABCD-2, a randomized Phase 3 trial", "a study
# called ABCD-1". ("the ABC-12 trial" may be a trial of the product ABC-12: not learned.)
_TRIAL_NAMED = re.compile(
    r"(?<![\w\-])(?=[A-Z])([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+[a-z]?),\s+(?:a|an|the|our|its|their)\s+"
    r"(?:[\w\-/]+,?\s+){0,5}?(?:trials?|stud(?:y|ies))\b")
_TRIAL_CALLED = re.compile(  # run only on texts that say "called", "named", ...
    r"\b(?:trials?|stud(?:y|ies))\s+(?:called|named|known\s+as|designated)\s+"
    r"([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+[a-z]?)")
# A word of four or five capitals with a one- or two-digit number ("ASTER-2", "MAPLE-12") names
# a trial, not a product (product codes have two or three letters, or more digits), unless the
# company's releases already made it a product.
_TRIAL_ACRONYM = re.compile(r"[A-Z]{4,5}-\d{1,2}")
_BRAND = re.compile(r"(?<![\w\-])([A-Z][a-z]{3,})(?:™|®|\(TM\)|\(R\))")

# --------------------------------------------------------------------------- aliases in text

_PRODUCT_RENAME = re.compile(
    r"\b(?:formerly(?:\s+known\s+as)?|previously\s+known\s+as|then\s+known\s+as|"
    r"now\s+known\s+as|also\s+known\s+as|renamed|the\s+(?:nonproprietary|generic|proprietary|"
    r"international\s+nonproprietary|brand)\s+name\s+(?:recently\s+)?(?:adopted\s+|given\s+|"
    r"chosen\s+)?for)\b", re.IGNORECASE)
_ACQUIRED = re.compile(
    r"\b(?:completed\s+(?:its|the)\s+(?:acquisition\s+of|merger\s+with)|acquired|"
    r"has\s+acquired|to\s+acquire|agreed\s+to\s+acquire)\s*$")
_SUBSIDIARY = re.compile(
    r"\b(?:(?:is|now|operates)\s+)*(?:now\s+)?(?:operates\s+as\s+|is\s+)?(?:now\s+)?"
    r"(?:a\s+wholly[\s-]owned\s+subsidiary\s+of|now\s+part\s+of|part\s+of|"
    r"a\s+subsidiary\s+of|(?:has\s+been\s+)?renamed|changed\s+its\s+name\s+to|now|"
    r"which\s+was\s+then|formerly(?:\s+known\s+as)?|previously\s+known\s+as|"
    r"merged\s+(?:into|with))\s*$")
_SUBJECT_CUES = re.compile(r"elected|decided|chose|declined|exercised|notified|informed|"
                           r"terminated|notice|intends|plans")
_LIST_CUES = re.compile(r"agreement|collaboration|alliance|partner|licensees|collaborators")
_TITLE_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+$")
_SHORT_CODE = re.compile(r"[A-Z]{2,5}-\d{1,2}[a-z]?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_LETTER_DIGIT = re.compile(r"[A-Za-z]\d")
_CAPITALIZED_RUN = re.compile(rf"(?:{_CAP})(?:\s+(?:{_CAP}|&))+")
_GRAMMAR_WORDS = ("from", "with", "include", "are", "has", "have", "had", "elected", "decided",
                  "declined", "exercised", "intends", "plans")
_PARTNER_ALIAS_WORDS = ("acqui", "subsidiary", "part of", "renamed", "name to", "formerly",
                        "known as", "merge", "formed", "created", "now", "then")
_RENAME_WORDS = ("formerly", "known as", "renamed", "name")
_PARTNER_ALIAS_CUES = re.compile(r"acqui|subsidiary|part of|renamed|name to|formerly|known as|"
                                 r"merge|formed|created|\b(?:now|then)\b")


@dataclass(frozen=True, slots=True)
class Mention:
    kind: str  # "org" or "product"
    name: str  # canonical
    start: int
    end: int
    surface: str
    known: bool = False  # known before this release (earlier releases or configuration)


@lru_cache(maxsize=8192)  # pure, and the same names come back in every release
def strip_suffix(name: str) -> str:
    """``Northwind Pharmaceuticals plc`` -> ``Northwind Pharmaceuticals`` (legal suffix dropped)."""
    name = " ".join(name.replace("\u00a0", " ").split()).strip(" ,")
    previous = None
    while previous != name:
        previous = name
        name = _SUFFIX_AT_END.sub("", name).strip(" ,")
    return name


@lru_cache(maxsize=8192)
def _core(name: str) -> str:
    """The distinctive part of a name: ``Northwind Pharmaceuticals plc`` -> ``Northwind``."""
    core = strip_suffix(name)
    previous = None
    while previous != core:
        previous = core
        core = _INDUSTRY_AT_END.sub("", core).strip()
    return core or strip_suffix(name)


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """How two spellings of one name are compared: case, punctuation, suffix ignored."""
    return re.sub(r"[^a-z0-9]+", " ", strip_suffix(name).lower().replace("’", "'")).strip()


@lru_cache(maxsize=8192)
def product_key(name: str) -> str:
    return re.sub(r"[\s\-/]+", "", name.lower().replace("™", "").replace("®", ""))


def _trim_noise(raw: str) -> tuple[str, int]:
    """Drop leading words that open a sentence or clause; returns the name and the offset."""
    words = raw.split(" ")
    offset = 0
    while len(words) > 1 and (words[0].lower().strip(",") in _LEADING_NOISE
                              or words[0].lower().strip(",'’s") in _NOT_NAMES):
        offset += len(words[0]) + 1
        words = words[1:]
    return " ".join(words), offset


def _looks_like_product(name: str) -> bool:
    return bool(_CODE.fullmatch(name) or _INN.fullmatch(name.lower()) or
                _CONJUGATE.fullmatch(name))


def _short_form(name: str) -> str | None:
    """``Smith-Jones Pharmaceuticals, Inc.`` -> ``Smith-Jones``: the first word, when it
    is distinctive enough to name the company on its own in later sentences."""
    core = _core(name)
    words = core.split()
    if len(words) > 1 and words[0].lower() in _LEADING_INDUSTRY:
        words = words[1:]  # "Laboratorios Acme" is "Acme" for short
    first = words[0] if words else ""
    if len(first) < 4 or first.lower() in _GENERIC_SHORT or first.lower() in _NOT_NAMES:
        return None
    if not first[0].isupper() or (first.isupper() and len(first) < 5):
        return None
    return first


# --------------------------------------------------------------------------- the recognizer

@dataclass(frozen=True, slots=True)
class NameTables:
    """What is known before a release: canonical partner and product names with their
    aliases (configured, and learned from earlier releases)."""

    own_names: tuple[str, ...] = ()
    partner_aliases: Mapping[str, Sequence[str]] | None = None
    product_aliases: Mapping[str, Sequence[str]] | None = None
    known_partners: Sequence[str] = ()
    known_products: Sequence[str] = ()
    # Names of companies EDGAR knows (company_tickers.json titles), compared by name_key:
    # "Hudson Meridian" is a company even without a suffix. Names of two words or more
    # only: single words ("Target", "Catalyst") are too often plain English.
    company_names: frozenset[str] = frozenset()


_KEY_SUFFIXES = frozenset("""
co corp corporation inc incorporated ltd limited plc ag sa se nv llc lp gmbh kgaa spa ab as
a s bv kk company the
""".split())


def company_key(name: str) -> str:
    """``ELI LILLY & Co`` and ``Eli Lilly`` -> ``eli lilly``: EDGAR titles compared with text."""
    name = re.sub(r"\s*/[A-Za-z]{2,}/?\s*$", "", name)  # "CORP /DE/"
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("’", "'")).split()
    while words and (words[-1] in _KEY_SUFFIXES or words[-1] == "&"):
        words.pop()
    return " ".join(words)


def company_list_keys(titles: Iterable[str]) -> frozenset[str]:
    """EDGAR company titles -> the keys ``NameTables.company_names`` compares with."""
    return frozenset(k for k in map(company_key, titles) if len(k.split()) >= 2)


class Recognizer:
    """Partner and product mentions for one release, after a first pass over its text that
    learns short forms, renames, mergers and product aliases."""

    def __init__(self, tables: NameTables, texts: Sequence[str]) -> None:
        self.own_keys: set[str] = set()
        for own in tables.own_names:
            if own and own.strip():
                self.own_keys.add(name_key(own))
                self.own_keys.add(name_key(_core(own)))
                first = _core(own).split()[0]
                self.own_keys.add(name_key(first))
        self.org_alias: dict[str, str] = {}     # surface -> canonical
        self.known_orgs: set[str] = set()
        self.product_alias: dict[str, str] = {}  # product_key -> canonical
        self.product_surface: dict[str, str] = {}  # product_key -> a surface form
        self.known_products: set[str] = set()
        self.learned: list[AliasLink] = []
        self.company_names = tables.company_names
        self._all_text = ""
        self.trial_names: set[str] = set()
        self._described: dict[str, bool] = {}
        self._known_re: re.Pattern[str] | None = None
        self._known_re_size = -1
        for canonical, aliases in (tables.partner_aliases or {}).items():
            self._add_org(canonical, canonical, known=True)
            for alias in aliases:
                self._add_org(alias, canonical, known=True)
        for partner in tables.known_partners:
            self._add_org(partner, self.org_alias.get(partner, partner), known=True)
        for canonical, aliases in (tables.product_aliases or {}).items():
            self._add_product(canonical, canonical, known=True)
            for alias in aliases:
                self._add_product(alias, canonical, known=True)
        for product in tables.known_products:
            self._add_product(product, self.canonical_product(product) or product, known=True)
        self._org_re: re.Pattern[str] | None = None
        self._org_re_size = -1
        self._ready = False
        self._candidates: dict[str, list[tuple[str, int]]] = {}
        self._orgs_cache: dict[str, list[Mention]] = {}
        self._products_cache: dict[str, list[tuple[str, int, int]]] = {}
        self._learn(texts)
        self._ready = True

    # -- tables -------------------------------------------------------------------------
    def _add_org(self, surface: str, canonical: str, *, known: bool = False) -> None:
        surface = " ".join(surface.split())
        if not surface or name_key(surface) in self.own_keys:
            return
        self.org_alias.setdefault(surface, canonical)
        self.org_alias.setdefault(strip_suffix(surface), canonical)
        if known:
            self.known_orgs.add(canonical)
        short = _short_form(surface)
        if short and short not in self.org_alias:
            self.org_alias[short] = canonical
        elif short and self.org_alias.get(short) != canonical and short != surface:
            # two companies share the first word: the short form names neither
            self.org_alias[short] = ""

    def _add_product(self, surface: str, canonical: str, *, known: bool = False) -> None:
        key = product_key(surface)
        if not key:
            return
        self.product_alias.setdefault(key, canonical)
        self.product_surface.setdefault(key, surface)
        if known:
            self.known_products.add(canonical)

    def canonical_org(self, surface: str) -> str | None:
        """The partner a name refers to; None for the filer itself and for non-names."""
        surface = " ".join(surface.split()).strip(" ,")
        if surface.endswith(("'s", "’s")):
            surface = surface[:-2]
        if not surface or self.is_own(surface):
            return None
        for candidate in (surface, strip_suffix(surface)):
            found = self.org_alias.get(candidate)
            if found is not None:
                return found or None
        return strip_suffix(surface)

    def canonical_product(self, surface: str) -> str | None:
        return self.product_alias.get(product_key(surface))

    def is_own(self, surface: str) -> bool:
        key = name_key(surface)
        if key in self.own_keys:
            return True
        first = key.split(" ")[0] if key else ""
        return bool(first) and first in self.own_keys and len(first) > 3

    # -- the first pass -------------------------------------------------------------------
    def _learn(self, texts: Sequence[str]) -> None:
        self._all_text = "\n".join(texts)
        # a trial named as such once ("ABCD-2, a Phase 3 trial") is a trial in every sentence
        self.trial_names = {m.group(1) for m in _TRIAL_NAMED.finditer(self._all_text)}
        if re.search(r"called|named|known as|designated", self._all_text):
            self.trial_names.update(m.group(1) for m in _TRIAL_CALLED.finditer(self._all_text))
        found: list[tuple[str, str]] = []  # (surface, sentence)
        for text in texts:
            for raw, _start in self._org_candidates(text):
                found.append((raw, text))
        for raw, _text in found:
            if self.is_own(raw):
                continue
            canonical = self._canonical_for_new(raw)
            self._add_org(raw, canonical)
        # (substring tests before the patterns: these run on every sentence of every release)
        for text in texts:
            if "(" in text or any(word in text for word in _GRAMMAR_WORDS):
                self._learn_grammar_orgs(text)
        for text in texts:
            if any(word in text for word in _PARTNER_ALIAS_WORDS) and \
                    _PARTNER_ALIAS_CUES.search(text):
                self._learn_partner_aliases(text)
            if "(" in text or "/" in text or (
                    any(word in text.lower() for word in _RENAME_WORDS)
                    and _PRODUCT_RENAME.search(text)):
                self._learn_product_aliases(text)

    def _canonical_for_new(self, raw: str) -> str:
        """A new organisation whose name contains a known partner's distinctive word is that
        partner renamed ("Eastgate Northwind plc", "Westmark-Northwind AG")."""
        existing = self.org_alias.get(raw) or self.org_alias.get(strip_suffix(raw))
        if existing:
            return existing
        parts = re.split(r"[\s\-]+", _core(raw))
        for part in parts:
            target = self.org_alias.get(part)
            if target and target in self.known_orgs and len(part) > 3 \
                    and part.lower() not in _GENERIC_SHORT:
                self.learned.append(AliasLink("partner", strip_suffix(raw), target,
                                              raw, "alias.partner.name_contains_partner"))
                return target
        return strip_suffix(raw)

    def _org_candidates(self, text: str) -> list[tuple[str, int]]:
        found = self._candidates.get(text)
        if found is None:
            found = self._candidates[text] = list(self._scan_org_candidates(text))
        return found

    def _scan_org_candidates(self, text: str) -> Iterable[tuple[str, int]]:
        if self.company_names:
            for m in _CAPITALIZED_RUN.finditer(text):
                words = m.group(0).split()
                for size in range(min(4, len(words)), 1, -1):  # longest first
                    for i in range(len(words) - size + 1):
                        candidate = " ".join(words[i:i + size])
                        if company_key(candidate) in self.company_names:
                            yield candidate, m.start() + len(" ".join(words[:i])) + (1 if i
                                                                                     else 0)
        # (most sentences name no company with a legal suffix: a cheap test first)
        patterns = (_ORG_SUFFIXED, _ORG_INDUSTRY) if _ANY_SUFFIX.search(text) else (_ORG_INDUSTRY,)
        for pattern in patterns:
            for m in pattern.finditer(text):
                raw = m.group(0) if pattern is _ORG_SUFFIXED else m.group(1)
                start = m.start()
                name, offset = _trim_noise(raw)
                start += offset
                if not name or _looks_like_product(_core(name)):
                    continue
                if _REGULATORS.search(name) or _EVENT_WORDS.match(text[m.end():m.end() + 80]):
                    continue
                if _PERSON_AFTER.match(text[m.end():m.end() + 12]):
                    continue
                core_words = [w for w in _core(name).split() if w != "&"]
                if not core_words or all(w.lower().strip(",") in _NOT_NAMES
                                         for w in core_words):
                    continue
                yield name.strip(" ,"), start

    _LIST_WITH = re.compile(
        r"\b(?:agreements?|collaborations?|alliances?|partnerships?|partners|licensees|"
        r"collaborators)\s+(?:with|include|including|are)\s+"
        rf"((?:(?:{_CAP})(?:\s+(?:{_CAP})){{0,2}},?\s+(?:and\s+)?){{1,8}}(?:{_CAP})"
        rf"(?:\s+(?:{_CAP})){{0,2}})")
    _FROM_THAT = re.compile(
        rf"\b(?:from|by)\s+((?:{_CAP})(?:\s+(?:{_CAP})){{0,2}})\s+that\b")
    _SUBJECT = re.compile(
        rf"(?:^|[,;]\s+|\bthat\s+|\band\s+)((?:{_CAP})(?:\s+(?:{_CAP})){{0,2}})\s+"
        r"(?:has\s+|have\s+|had\s+)?(?:elected|decided|chosen|chose|declined|exercised|"
        r"notified|informed|terminated|given\s+notice|gave\s+notice|intends|plans)\b")
    _BEFORE_PAREN = re.compile(
        rf"((?:{_CAP})(?:\s+(?:{_CAP})){{0,3}})\s*\(\s*(?=[^)]*\d|[a-z]{{4,}}(?:mab|nib|mod))")

    def _learn_grammar_orgs(self, text: str) -> None:
        """Names without a suffix, learned from where they stand: ``Northwind (PRODUCT)``,
        ``learned from X that X has elected``, ``agreements with X, Y and Z``."""
        candidates: list[str] = []
        if "(" in text:
            for m in self._BEFORE_PAREN.finditer(text):
                inside = text[m.end():m.end() + 80].split(")")[0]
                if self._first_product(inside) is None or self._lower_elsewhere(m.group(1)):
                    continue
                candidates.append(m.group(1))
        # (each pattern only where its words are: these run on every sentence)
        if " that" in text:
            candidates.extend(m.group(1) for m in self._FROM_THAT.finditer(text))
        if _SUBJECT_CUES.search(text):
            candidates.extend(m.group(1) for m in self._SUBJECT.finditer(text))
        for m in self._LIST_WITH.finditer(text) if _LIST_CUES.search(text) else ():
            items = [i.strip() for i in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1))]
            items = [i for i in items if i]
            if any(self.org_alias.get(i) for i in items):
                candidates.extend(items)
        for raw in candidates:
            name, _ = _trim_noise(raw.strip())
            words = name.split()
            if not words or all(w.lower().strip(",'’s") in _NOT_NAMES for w in words):
                continue
            if words[0].lower() in _NOT_NAMES or self.is_own(name) or _looks_like_product(name):
                continue
            if re.search(rf"{re.escape(name)}\s*(?:™|®|\(TM\)|\(R\))", self._all_text) or \
                    self.canonical_product(name) is not None:
                continue  # a brand name: "Brand™ (generic name)"
            if name in self.org_alias or _REGULATORS.search(name):
                continue
            if re.search(rf"(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+{re.escape(name)}", text):
                continue
            self._add_org(name, self._canonical_for_new(name))

    def _learn_partner_aliases(self, text: str) -> None:
        """Renames, mergers and acquisitions: the new name becomes an alias of the partner
        already known, so the deal is not reported as removed and re-added."""
        orgs = self.orgs(text)
        if len(orgs) < 2:
            return
        for i, later in enumerate(orgs[1:], start=1):
            earlier = orgs[i - 1]
            between = text[earlier.end:later.start]
            if len(between) > 60 or earlier.name == later.name:
                continue
            if _ACQUIRED.search(" " + between.strip(" ,")) or _SUBSIDIARY.search(
                    " " + between.strip(" ,")):
                # "X completed its acquisition of Y", "Y is now a subsidiary of X",
                # "Y, which was then X": the names are one partner
                self._link(earlier, later, text)
        for m in re.finditer(r"\b(?:formed|created)\b[^.;]{0,60}?\b(?:merger|combination)\s+"
                             r"of\b", text):
            after = [o for o in orgs if o.start >= m.end()][:2]
            before = [o for o in orgs if o.end <= m.start()]
            if len(after) == 2 and before:
                new = before[-1]
                for old in after:
                    if old.name in self.known_orgs:
                        self._link(new, old, text)

    def _link(self, a: Mention, b: Mention, evidence: str) -> None:
        known = [m for m in (a, b) if m.name in self.known_orgs]
        if not known:
            return
        target = known[-1].name if len(known) == 1 else b.name
        other = b if target == a.name else a
        if other.name == target:
            return
        for surface in {other.surface, strip_suffix(other.surface), other.name}:
            self.org_alias[surface] = target
        short = _short_form(other.surface)
        if short:
            self.org_alias[short] = target
        self.learned.append(AliasLink("partner", strip_suffix(other.surface), target,
                                      evidence, "alias.partner.rename_or_acquisition"))

    def _learn_product_aliases(self, text: str) -> None:
        """``zantolimab vedotin (ABC-107)``, ``velarimod, formerly ABC-102``,
        ``X is the nonproprietary name adopted for Y``: one product, several names."""
        products = self._raw_products(text)
        for m in re.finditer(r"\(([^()]{2,80})\)", text):
            before = [p for p in products if p[2] <= m.start() and
                      not text[p[2]:m.start()].strip()]
            brand = _BRAND.search(text[max(0, m.start() - 30):m.start()])
            names = [p[0] for p in before]
            if not names and brand and not text[m.start() - 30 + brand.end():m.start()].strip():
                names = [brand.group(1)]
            inside = [p[0] for p in self._raw_products(m.group(1))]
            if not names and inside:
                # "Velodimet (ABC-27)" opening a sentence, "velodimet" elsewhere
                word = re.search(r"(?<![\w\-])([A-Z][a-z]{4,})\s*$",
                                 text[max(0, m.start() - 30):m.start()])
                if word and self._lower_elsewhere(word.group(1)):
                    names = [word.group(1)]
            if names and inside:
                self._merge_products([names[-1], *inside], text)
        for first, second in pairwise(products):
            if text[first[2]:second[1]] == "/":  # "huX242-DM1/SB-408000": two names of one
                self._merge_products([first[0], second[0]], text)
        for m in _PRODUCT_RENAME.finditer(text):
            left = [p for p in products if p[2] <= m.start() and m.start() - p[2] < 40]
            right = [p for p in products if p[1] >= m.end() and p[1] - m.end() < 25]
            brand = _BRAND.search(text[max(0, m.start() - 40):m.start()])
            names = [p[0] for p in left[-1:]] or ([brand.group(1)] if brand else [])
            if names and right:
                self._merge_products([names[0], right[0][0]], text)

    def _described_as_product(self, name: str) -> bool:
        """Whether the release calls a trial-shaped code name a product ("ABCD-12, an oral
        inhibitor of ..."): then it is one."""
        found = self._described.get(name)
        if found is None:
            found = self._described[name] = re.search(
                rf"(?<![\w\-]){re.escape(name)},?\s+(?:is\s+)?(?:a|an|its|our|their|the)\s+"
                r"(?:[\w\-]+,?\s+){0,4}?(?:antibod(?:y|ies)|inhibitor|agonist|antagonist|"
                r"compound|candidate|drug|therapy|therapeutic|molecule|product|vaccine|"
                r"conjugate|medicine|treatment|modulator|peptide)\b", self._all_text) is not None
        return found

    def _lower_elsewhere(self, word: str) -> bool:
        """A single capitalized word the release also writes in lower case is a generic
        (nonproprietary) name that opened a sentence, not a company."""
        if " " in word or not word[:1].isupper() or not word[1:].islower():
            return False
        return re.search(rf"(?<![\w\-]){re.escape(word.lower())}(?![\w\-])",
                         self._all_text) is not None

    def _merge_products(self, names: Sequence[str], evidence: str) -> None:
        canonical = next((self.canonical_product(n) for n in names
                          if self.canonical_product(n) in self.known_products), None)
        canonical = canonical or next((self.canonical_product(n) for n in names
                                       if self.canonical_product(n)), None)
        canonical = canonical or _product_display(names[0])
        for name in names:
            key = product_key(name)
            if self.product_alias.get(key) != canonical:
                if key in self.product_alias and self.product_alias[key] in self.known_products \
                        and self.product_alias[key] != canonical:
                    continue  # never re-point a product that is already known elsewhere
                self.product_alias[key] = canonical
                self.product_surface.setdefault(key, name)
                if product_key(name) != product_key(canonical):
                    self.learned.append(AliasLink("product", _product_display(name), canonical,
                                                  evidence, "alias.product.name_in_text"))

    # -- matching -------------------------------------------------------------------------
    def _compile_orgs(self) -> re.Pattern[str] | None:
        surfaces = sorted((s for s, c in self.org_alias.items() if c and len(s) > 1),
                          key=len, reverse=True)
        if not surfaces:
            return None
        return re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(s) for s in surfaces)
                          + r")(?:,?\s+(?:" + LEGAL_SUFFIXES + r"))?(?![\w\-])")

    def orgs(self, sentence: str, *, learning: bool = False) -> list[Mention]:
        """Organisations named in a sentence (the filer excluded), left to right."""
        if self._ready:
            cached = self._orgs_cache.get(sentence)
            if cached is None:
                cached = self._orgs_cache[sentence] = self._find_orgs(sentence)
            return cached
        return self._find_orgs(sentence)

    def _find_orgs(self, sentence: str) -> list[Mention]:
        spans: list[Mention] = []
        if self._org_re_size != len(self.org_alias):  # names were learned: recompile
            self._org_re = self._compile_orgs()
            self._org_re_size = len(self.org_alias)
        pattern = self._org_re
        if pattern is not None:
            for m in pattern.finditer(sentence):
                surface = m.group(0)
                canonical = self.canonical_org(surface)
                if canonical:
                    spans.append(Mention("org", canonical, m.start(), m.end(), surface,
                                         canonical in self.known_orgs))
        for raw, start in self._org_candidates(sentence):
            end = start + len(raw)
            if any(s.start <= start < s.end or start <= s.start < end for s in spans):
                continue
            canonical = self.canonical_org(raw)
            if canonical:
                spans.append(Mention("org", canonical, start, end, raw,
                                     canonical in self.known_orgs))
        spans.sort(key=lambda s: (s.start, -s.end))
        out: list[Mention] = []
        for span in spans:
            if out and span.start < out[-1].end:
                continue
            before = sentence[max(0, span.start - 6):span.start]
            if _TITLE_BEFORE.search(before):
                continue
            out.append(span)
        return out

    def _raw_products(self, text: str) -> list[tuple[str, int, int]]:
        """Product-like names with their spans, before any canonicalization."""
        if not self._ready:
            return self._scan_products(text)
        cached = self._products_cache.get(text)
        if cached is None:
            cached = self._products_cache[text] = self._scan_products(text)
        return cached

    def _scan_products(self, text: str) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        for m in _CONJUGATE.finditer(text) if "mab-" in text or "MAB-" in text else ():
            found.append((m.group(0), m.start(), m.end()))
        for m in _INN.finditer(text):
            word = m.group(1)
            if word.lower() in _NOT_INN or (word[0].isupper() and not word[1:].islower()):
                continue
            if any(s <= m.start() < e for _, s, e in found):
                continue
            end = m.end()
            payload = _PAYLOAD_WORD.match(text[end:end + 30])
            if word.lower().endswith("gene") and payload is None:
                continue  # a two-word gene therapy name needs its second word
            if payload is not None:
                end += payload.end()
            found.append((text[m.start():end], m.start(), end))
        for m in _CODE.finditer(text):
            name = m.group(1)
            if any(s <= m.start() < e for _, s, e in found):
                continue
            if (name in self.trial_names or (_TRIAL_ACRONYM.fullmatch(name) and
                                             not self._described_as_product(name))) and \
                    self.canonical_product(name) not in self.known_products:
                continue
            if _NOT_CODE_PREFIX.match(name) or (
                    _SHORT_CODE.fullmatch(name)
                    and self._is_trial_name(text, m.end())):
                continue
            if _YEAR.fullmatch(name[-4:]) and not _LETTER_DIGIT.search(name):
                continue
            if (_TARGET_AFTER.match(text[m.end():m.end() + 40]) or
                    _TARGET_BEFORE.search(text[max(0, m.start() - 30):m.start()])) and \
                    self.canonical_product(name) not in self.known_products:
                continue
            found.append((name, m.start(), m.end()))
        known = self._known_products_re()
        if known is not None:
            for m in known.finditer(text):
                if not any(s <= m.start() < e for _, s, e in found):
                    found.append((m.group(0), m.start(), m.end()))
        found.sort(key=lambda f: f[1])
        return found

    def _known_products_re(self) -> re.Pattern[str] | None:
        """Known names that no pattern finds (two-word generic names, brand names), as one
        expression, compiled again only when names were learned."""
        if self._known_re_size != len(self.product_surface):
            surfaces = sorted({s for s in self.product_surface.values()
                               if not _CODE.fullmatch(s)}, key=len, reverse=True)
            self._known_re = re.compile(
                r"(?<![\w\-])(?:" + "|".join(re.escape(x) for x in surfaces) + r")(?![\w\-])",
                re.IGNORECASE) if surfaces else None
            self._known_re_size = len(self.product_surface)
        return self._known_re

    @staticmethod
    def _is_trial_name(text: str, end: int) -> bool:
        return bool(re.match(r",?\s+(?:a|an|the|our|its)\s+(?:[\w\-]+,?\s+){0,5}?"
                             r"(?:trial|study|program)\b", text[end:end + 80]))

    def _first_product(self, text: str) -> str | None:
        raw = self._raw_products(text)
        return raw[0][0] if raw else None

    def products(self, sentence: str) -> list[Mention]:
        """Products named in a sentence, canonical, left to right."""
        out: list[Mention] = []
        for surface, start, end in self._raw_products(sentence):
            canonical = self.canonical_product(surface) or _product_display(surface)
            out.append(Mention("product", canonical, start, end, surface,
                               canonical in self.known_products))
        return out


def _product_display(name: str) -> str:
    """Generic (INN) names are lower case whatever the sentence did to them; code names keep
    their case."""
    if _CODE.fullmatch(name) or _CONJUGATE.fullmatch(name):
        return name
    if re.fullmatch(r"[A-Za-z][a-z]+(?:\s+[a-z]+)?", name):
        return name.lower()
    return name
