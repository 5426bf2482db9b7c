"""Partner, product and status facts in a release, each with its modality and the rule that
fired. Rules and word lists only: explainable, fast, no model downloads, no names of real
companies or products in the code (names come from config aliases, the company's earlier
releases and generic patterns such as corporate suffixes and INN stems).

Pure: ``extract_facts(release, context)`` -> ``list[Fact]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from watcher.models import Fact, FactField, Modality, Release

# --------------------------------------------------------------------------- names

LEGAL_SUFFIXES = (
    r"Inc\.?|Incorporated|Corp\.?|Corporation|Co\.|Company|Ltd\.?|Limited|plc|PLC|p\.l\.c\.|"
    r"AG|SA|S\.A\.|SE|NV|N\.V\.|GmbH|KGaA|LLC|L\.L\.C\.|LP|L\.P\.|B\.V\.|BV|K\.K\.|A/S|AB|S\.p\.A\.|"
    r"Pty\.? Ltd\.?"
)
INDUSTRY_WORDS = (
    r"Pharmaceuticals?|Pharma|Therapeutics|Biosciences?|Biotech|Biotechnology|Biologics|"
    r"Laboratories|Labs|Oncology|Genomics|Sciences|Biopharma|BioPharma|Healthcare|Medical|"
    r"Biotherapeutics|Medicines|Holdings|Group"
)
_CAP_WORD = r"[A-Z][A-Za-z0-9&'\-]*"
_ORG_WITH_SUFFIX = re.compile(
    rf"\b((?:{_CAP_WORD}\s+){{0,3}}(?:{_CAP_WORD}))(?:,?\s+(?:{INDUSTRY_WORDS}))*"
    rf"(?:,?\s+(?:{LEGAL_SUFFIXES}))(?![A-Za-z])"
)
_ORG_WITH_INDUSTRY = re.compile(
    rf"\b((?:{_CAP_WORD}\s+){{0,2}}{_CAP_WORD}\s+(?:{INDUSTRY_WORDS}))\b"
)
# "from X that", "licensed ... to X", "with X", "partner X": the name is a capitalized run.
_CONTEXT_NAME = re.compile(
    rf"\b(?:from|to|with|partner|licensee|licensor|collaborator|by)\s+"
    rf"((?:{_CAP_WORD})(?:\s+{_CAP_WORD}){{0,2}})"
)
_SUBJECT_NAME = re.compile(rf"(?:^|that\s+|,\s+)((?:{_CAP_WORD})(?:\s+{_CAP_WORD}){{0,2}})\s+"
                           rf"(?:has|have|had|will|is|was|informed|notified|elected|decided|"
                           rf"initiated|began|started|exercised|declined|gave|terminated)\b")
_NOT_NAMES = frozenset("""
the a an this that these those its it our we they he she company companies phase item
fda ema ind nda bla maa u.s us europe japan china nasdaq nyse board chairman ceo president
under in on at for of and or but however following today january february march april may june
july august september october november december monday tuesday wednesday thursday friday
saturday sunday research development agreement license collaboration clinical investigational
new drug application food drug administration securities exchange commission mr ms dr
""".split())

# --------------------------------------------------------------------------- products

_CODE_NAME = re.compile(
    r"\b(?:[a-z]{0,3}[A-Z][A-Za-z]{0,5}[- ]?\d{2,6}[A-Za-z]{0,3}\d{0,3}"
    r"(?:-[A-Z][A-Za-z0-9]{0,5})?)\b"
)
_INN = re.compile(
    r"\b([A-Za-z][a-z]{3,}(?:mab|tinib|ciclib|parib|rafenib|zomib|lisib|imod|tide|cept|"
    r"stat|gliptin|sartan|vir|platin|taxel|rubicin|mycin|cillin|kinra|leukin|ermin|"
    r"fungin|tecan|lukast))"
    r"((?:\s+(?:mertansine|emtansine|vedotin|ozogamicin|deruxtecan|govitecan|ravtansine|"
    r"soravtansine|mafodotin|tesirine|pegol))|(?:-[A-Z][A-Z0-9]{1,5}))?\b"
)
_NOT_PRODUCTS = re.compile(
    r"^(?:phase|item|form|covid|rule|section|schedule|page|exhibit|note|q[1-4]|fy|no|"
    r"nasdaq|nyse|us|usd|sb|hr|s)[- ]?\d", re.IGNORECASE
)
_PRODUCT_REFERENCE = re.compile(r"\b(the|this) (product|compound|drug|candidate|antibody|"
                                r"conjugate|program|product candidate)\b", re.IGNORECASE)

# --------------------------------------------------------------------------- statuses


@dataclass(frozen=True, slots=True)
class Trigger:
    rule: str
    field: FactField
    status: str
    pattern: re.Pattern[str]
    needs_product: bool = False
    opt_out: bool = False  # "elected not to advance" is the event, not a negation


def _t(rule: str, fld: FactField, status: str, pattern: str, *, needs_product: bool = False,
       opt_out: bool = False) -> Trigger:
    return Trigger(rule, fld, status, re.compile(pattern, re.IGNORECASE), needs_product, opt_out)


_PHASE = r"phase\s*"
_START = (r"(?:initiated|initiates|initiating|began|begun|begins|started|starts|commenced|"
          r"entered|enters|advanced|moved|dosed the first (?:patient|subject)s?|"
          r"enrolled the first (?:patient|subject)s?|is in|are in|is now in|has begun|"
          r"has started|has initiated)\b[^.;]{0,60}?")

TRIGGERS: tuple[Trigger, ...] = (
    _t("relationship.not_advancing.elected_not_to", "relationship", "not_advancing",
       r"\b(?:elected|decided|chosen|chose|determined) not to (?:advance|proceed|continue|"
       r"pursue|develop|exercise)|\bdeclined to (?:exercise|advance|proceed)", opt_out=True),
    _t("relationship.terminated.notice", "relationship", "terminated",
       r"\b(?:terminat(?:e|ed|es|ing)|end(?:ed|s)?)\s+(?:its|the|their|our)\s+"
       r"(?:\w+\s+){0,3}(?:licen[cs]e|collaboration|agreement|alliance|partnership)|"
       r"\bnotice (?:of|that it (?:is|was|will be)) terminat|\btermination of (?:the|its|our)\s+"
       r"(?:\w+\s+){0,3}(?:licen[cs]e|collaboration|agreement)", opt_out=True),
    _t("relationship.rights_returned.revert", "relationship", "rights_returned",
       r"\brights\b[^.;]{0,80}?\b(?:(?:be|been|are|were|is|was|have|has)\s+)?"
       r"(?:returned|revert(?:ed|s)?)\b|\b(?:regain(?:ed|s)?|reacquir(?:ed|es)|"
       r"return(?:ed)? of) (?:all |worldwide |the )*rights"),
    _t("relationship.option_exercised", "relationship", "option_exercised",
       r"\bexercised (?:its|the|an|their) (?:\w+\s+){0,2}option|\bexercise of (?:its|the) option"),
    _t("relationship.option_granted", "relationship", "option_granted",
       r"\b(?:granted|grants|received|receives|obtained) (?:\w+\s+){0,3}(?:an |the )?option\b"),
    _t("relationship.extended", "relationship", "extended",
       r"\bextend(?:ed|s)? (?:the|its|our|their) (?:\w+\s+){0,2}(?:collaboration|agreement|"
       r"alliance|term)"),
    _t("relationship.expanded", "relationship", "expanded",
       r"\bexpand(?:ed|s)? (?:the|its|our|their) (?:\w+\s+){0,2}(?:collaboration|agreement|"
       r"alliance|partnership)"),
    _t("relationship.renegotiating", "relationship", "renegotiating",
       r"\brenegotiat(?:e|es|ed|ing|ion)\b"),
    _t("relationship.licensed", "relationship", "licensed",
       r"\b(?:licensed|in-licensed|out-licensed)\b|\bgrant(?:ed|s)? (?:\w+\s+){0,4}"
       r"licen[cs]e\b|\blicen[cs]e agreement (?:with|under which)\b"),
    _t("relationship.collaborating", "relationship", "collaborating",
       r"\b(?:entered into|signed|formed|established|announced) (?:an? |the )?(?:\w+\s+){0,4}"
       r"(?:collaboration|co-development|codevelopment|alliance|partnership)\b|"
       r"\bco-develop(?:ment)?\b"),
    _t("stage.phase_1_2", "stage", "phase_1_2",
       rf"{_START}{_PHASE}(?:I/II|1/2|Ib/II|1b/2)\b", needs_product=True),
    _t("stage.phase_3", "stage", "phase_3",
       rf"{_START}{_PHASE}(?:III|3)\b", needs_product=True),
    _t("stage.phase_2", "stage", "phase_2",
       rf"{_START}{_PHASE}(?:II|2|IIa|IIb|2a|2b)\b(?!/)", needs_product=True),
    _t("stage.phase_1", "stage", "phase_1",
       rf"{_START}{_PHASE}(?:I|1|Ia|Ib|1a|1b)\b(?!/)", needs_product=True),
    _t("stage.ind_filed", "stage", "ind_filed",
       r"\b(?:filed|submitted|filing of|submission of) (?:an? |the )?(?:Investigational New Drug|"
       r"IND)\b", needs_product=True),
    _t("stage.filed", "stage", "filed",
       r"\b(?:filed|submitted) (?:an? |the )?(?:NDA|BLA|MAA|New Drug Application|"
       r"Biologics License Application|marketing authori[sz]ation application)\b",
       needs_product=True),
    _t("stage.approved", "stage", "approved",
       r"\b(?:received|receives|granted|grants) (?:\w+\s+){0,2}(?:marketing )?approval\b|"
       r"\bapproved\b", needs_product=True),
    _t("stage.discontinued", "stage", "discontinued",
       r"\bdiscontinu(?:e|ed|es|ing) (?:the )?(?:development|program|trial|study)",
       needs_product=True),
    _t("stage.on_hold", "stage", "on_hold",
       r"\b(?:placed|put) on (?:a )?(?:partial |full )?clinical hold\b", needs_product=True),
    _t("stage.delayed", "stage", "delayed",
       r"\b(?:delay(?:ed|s)?|postpone(?:d|s)?|new target (?:\w+\s+){0,2}date)\b",
       needs_product=True),
    _t("milestone.reached", "milestone", "milestone_reached",
       r"\bmilestone payment\b[^.;]{0,60}\b(?:triggers?|earned|received|achieved|paid)\b|"
       r"\b(?:earn(?:ed|s)?|receiv(?:ed|es)|triggers?) (?:an? )?(?:\$[\d.,]+ (?:million )?)?"
       r"milestone"),
)

# --------------------------------------------------------------------------- modality

_CONDITIONAL = re.compile(
    r"\b(?:if|unless|in the event|provided that|subject to|should \w+ (?:determine|decide|"
    r"elect|fail|choose|not)|would)\b", re.IGNORECASE)
_HEDGED = re.compile(
    r"\b(?:may|might|could|expects?|expected|anticipates?|anticipated|plans?|planned|"
    r"intends?|intended|aims?|hopes?|potential(?:ly)?|believes?|estimates?|will|seeks?|"
    r"is to|are to|would like|target(?:s|ed)? to|goal of)\b", re.IGNORECASE)
_NEGATED = re.compile(
    r"\b(?:not|no longer|never|neither|nor|did not|does not|has not|have not|without)\b",
    re.IGNORECASE)
_HISTORICAL = re.compile(
    r"\b(?:previously|originally|formerly|had been|in the past|at the time|"
    r"was then|were then|since (?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:in|during|between|since|from|by|of|early|late|mid-?)\s+"
                   r"(?:(?:early|late|mid-?|the (?:first|second|third|fourth) quarter of|"
                   r"January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExtractContext:
    """What extraction knows beyond the text: the filer's own names, alias tables and the
    partners and products learned from the company's earlier releases."""

    own_names: tuple[str, ...] = ()
    partner_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    product_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    known_partners: tuple[str, ...] = ()
    known_products: tuple[str, ...] = ()
    release_date: date | None = None


@dataclass(frozen=True, slots=True)
class _Mention:
    name: str
    start: int


def canonical_org(name: str) -> str:
    """``Pembury Pharmaceuticals plc`` -> ``Pembury Pharmaceuticals``: legal suffix dropped."""
    name = " ".join(name.replace("\u00a0", " ").split()).strip(" ,")
    previous = None
    while previous != name:
        previous = name
        name = re.sub(rf",?\s+(?:{LEGAL_SUFFIXES})$", "", name).strip(" ,")
    return name


class _Names:
    """Partner and product recognizers for one release, built once per release."""

    def __init__(self, release: Release, context: ExtractContext) -> None:
        self.context = context
        own = {n.lower() for n in context.own_names if n}
        own |= {canonical_org(n).lower() for n in context.own_names if n}
        own |= {canonical_org(n).split()[0].lower() for n in context.own_names if n.strip()}
        own |= _own_names_from_text(release)
        self.own = own
        alias_to_canonical: dict[str, str] = {}
        for canonical, aliases in context.partner_aliases.items():
            for alias in (canonical, *aliases):
                alias_to_canonical[alias] = canonical
        for partner in context.known_partners:
            alias_to_canonical.setdefault(partner, partner)
        self.partner_alias = alias_to_canonical
        self.product_alias: dict[str, str] = {}
        for canonical, aliases in context.product_aliases.items():
            for alias in (canonical, *aliases):
                self.product_alias[alias.lower()] = canonical
        for product in context.known_products:
            self.product_alias.setdefault(product.lower(), product)

    def is_own(self, name: str) -> bool:
        lowered = canonical_org(name).lower()
        return lowered in self.own or lowered.split()[0] in self.own

    def canonical_partner(self, name: str) -> str | None:
        name = canonical_org(name)
        if not name or name.lower() in _NOT_NAMES or self.is_own(name):
            return None
        words = name.split()
        if all(w.lower() in _NOT_NAMES for w in words):
            return None
        if name in self.partner_alias:
            return self.partner_alias[name]
        for alias, canonical in self.partner_alias.items():
            # "Pembury" refers to the known "Pembury Pharmaceuticals".
            if canonical_org(alias).split()[0] == words[0]:
                return canonical
        return name

    def partners(self, sentence: str) -> list[_Mention]:
        found: dict[str, int] = {}

        def add(raw: str, start: int) -> None:
            canonical = self.canonical_partner(raw)
            if canonical and canonical not in found:
                found[canonical] = start

        for alias in sorted(self.partner_alias, key=len, reverse=True):
            for m in re.finditer(rf"\b{re.escape(alias)}\b", sentence):
                add(alias, m.start())
            short = canonical_org(alias).split()[0]
            if len(short) > 3:
                for m in re.finditer(rf"\b{re.escape(short)}\b", sentence):
                    add(alias, m.start())
        for pattern in (_ORG_WITH_SUFFIX, _ORG_WITH_INDUSTRY, _CONTEXT_NAME, _SUBJECT_NAME):
            for m in pattern.finditer(sentence):
                raw = m.group(0) if pattern is _ORG_WITH_SUFFIX else m.group(1)
                raw = _trim_leading_common(raw)
                if raw and not _looks_like_product(raw):
                    add(raw, m.start(1))
        return sorted((_Mention(n, s) for n, s in found.items()), key=lambda m: m.start)

    def products(self, sentence: str) -> list[_Mention]:
        found: dict[str, int] = {}
        lowered = sentence.lower()
        for alias, canonical in self.product_alias.items():
            index = lowered.find(alias)
            if index >= 0 and canonical not in found:
                found[canonical] = index
        for m in _INN.finditer(sentence):
            name = m.group(0)
            at_sentence_start = not sentence[:m.start()].strip(' "(')
            if at_sentence_start and name[1:].islower():
                name = name.lower()  # "Cantuzumab mertansine is ..." names "cantuzumab ..."
            canonical = self.product_alias.get(name.lower(), name)
            found.setdefault(canonical, m.start())
        for m in _CODE_NAME.finditer(sentence):
            name = m.group(0)
            if _NOT_PRODUCTS.match(name) or re.fullmatch(r"(19|20)\d\d", name):
                continue
            if not re.search(r"[A-Za-z]", name) or not re.search(r"\d", name):
                continue
            canonical = self.product_alias.get(name.lower(), name)
            if any(canonical in other and canonical != other for other in found):
                continue
            found.setdefault(canonical, m.start())
        return sorted((_Mention(n, s) for n, s in found.items()), key=lambda m: m.start)


def _trim_leading_common(raw: str) -> str:
    words = raw.split()
    while words and words[0].lower() in _NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def _looks_like_product(raw: str) -> bool:
    return bool(_CODE_NAME.fullmatch(raw)) and bool(re.search(r"\d", raw))


_FILER_BEFORE_TICKER = re.compile(
    rf"((?:{_CAP_WORD}[\s,]+){{1,4}}?(?:(?:{LEGAL_SUFFIXES})\s*)?)"
    r"\((?:Nasdaq|NASDAQ|NYSE|AMEX|OTC|TSX|LSE|Nasdaq GM|NYSE American)[^)]*\)"
)


def filer_name(release: Release) -> str | None:
    """The filer names itself before its ticker: "Acme Bio, Inc. (Nasdaq: ACME)"."""
    for paragraph in release.paragraphs[:3]:
        m = _FILER_BEFORE_TICKER.search(paragraph.text)
        if m:
            name = canonical_org(m.group(1))
            if name:
                return name
    return None


def _own_names_from_text(release: Release) -> set[str]:
    name = filer_name(release)
    return {name.lower(), name.split()[0].lower()} if name else set()


def sentence_modality(sentence: str, trigger: Trigger, match: re.Match[str],
                      release_date: date | None) -> Modality:
    """How the sentence holds the fact: stated, negated, hedged, conditional or historical."""
    before = sentence[:match.start()]
    if _CONDITIONAL.search(sentence):
        return "conditional"
    if not trigger.opt_out and _NEGATED.search(before[-40:]):
        return "negated"
    window = before[-80:]
    if _HEDGED.search(window) and not re.search(r"\b(?:has|have|had)\b", match.group(0)):
        return "hedged"
    if _HISTORICAL.search(sentence):
        return "historical"
    if release_date is not None:
        years = [int(y) for y in _YEAR.findall(sentence)]
        if years and max(years) < release_date.year:
            return "historical"
    return "stated"


def extract_facts(release: Release, context: ExtractContext | None = None) -> list[Fact]:
    """Every partner-status fact of a release; the forward-looking section is skipped."""
    ctx = context or ExtractContext(release_date=release.dateline_date)
    if ctx.release_date is None and release.dateline_date is not None:
        ctx = ExtractContext(ctx.own_names, ctx.partner_aliases, ctx.product_aliases,
                             ctx.known_partners, ctx.known_products, release.dateline_date)
    names = _Names(release, ctx)
    facts: list[Fact] = []
    last_partner: str | None = None
    last_product: str | None = None
    section = ""
    for paragraph in release.paragraphs:
        if paragraph.section in ("forward_looking", "contacts"):
            continue
        if paragraph.section != section:
            # references ("the product", an unnamed partner) resolve within a section
            last_partner = last_product = None
            section = paragraph.section
        for sentence in paragraph.sentences or (paragraph.text,):
            partners = names.partners(sentence)
            products = names.products(sentence)
            for fact in _sentence_facts(sentence, paragraph.section, partners, products,
                                        last_partner, last_product, ctx.release_date):
                facts.append(fact)
            if partners:
                last_partner = partners[-1].name
            if products:
                last_product = products[0].name
    return _dedupe(facts)


def _nearest(mentions: Sequence[_Mention], position: int) -> str | None:
    if not mentions:
        return None
    return min(mentions, key=lambda m: abs(m.start - position)).name


def _sentence_facts(sentence: str, section: str, partners: Sequence[_Mention],
                    products: Sequence[_Mention], last_partner: str | None,
                    last_product: str | None, release_date: date | None) -> Iterable[Fact]:
    fired: set[tuple[str, str]] = set()
    covered: list[tuple[int, int]] = []
    for trigger in TRIGGERS:
        for match in trigger.pattern.finditer(sentence):
            if any(s <= match.start() < e for s, e in covered):
                continue
            partner = _nearest(partners, match.start()) or last_partner
            product = _nearest(products, match.start())
            referenced = product is None and _PRODUCT_REFERENCE.search(sentence) is not None
            if product is None and referenced:
                product = last_product
            if trigger.needs_product and product is None:
                continue
            if partner is None and trigger.field == "relationship":
                continue
            key = (trigger.field, trigger.status)
            if key in fired:
                continue
            fired.add(key)
            if trigger.opt_out:
                covered.append((match.start(), match.end() + 60))
            modality = sentence_modality(sentence, trigger, match, release_date)
            confidence = 0.9 if partner and (product or not trigger.needs_product) else 0.7
            if referenced:
                confidence -= 0.1
            yield Fact(partner=partner, product=product, field=trigger.field,
                       status=trigger.status, modality=modality, evidence=sentence,
                       rule=trigger.rule, section=section, confidence=round(confidence, 2))


def _dedupe(facts: Sequence[Fact]) -> list[Fact]:
    seen: set[tuple[str | None, str | None, str, str, str, str]] = set()
    out = []
    for fact in facts:
        key = (fact.partner, fact.product, fact.field, fact.status, fact.modality, fact.evidence)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out
