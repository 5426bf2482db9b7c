"""Partner, product and status facts in a release, each with its modality, its sentence and
the rule that fired. Rules and word lists only: explainable, fast, no model downloads, and no
names of real companies or products in the code (names come from the configuration, the
company's earlier releases and generic patterns: see ``watcher.mentions``).

How a sentence becomes facts:

1. Trigger phrases (``TRIGGERS``) name a status: "has exercised its option" ->
   ``option_exercised``, "dosed the first patient in a Phase II trial" -> ``phase_2``.
2. Their arguments are found around them: the partner (an organisation in the sentence, or the
   partner the paragraph is about), the product (in argument position, "trial of X",
   "license to X", or the one the paragraph is about). A product several partners hold goes
   to the holder the sentence names (or a partner it names that held it once), else to the
   one its paragraph names, else, for rights coming back, to the one on its way out.
3. The modality comes from the words of the clause before the trigger (and a few after):
   conditional ("if", "should X decide", "would", rights that "will revert"), negated ("not",
   "no", "withdrawn"), hedged ("may", "expects", "plans", "will"), historical (a date more than
   six months before the release and before the period a results release reports on,
   "formerly", "since 1999", "last year"), else stated. Opt-out phrases ("elected not to
   advance", "declined to exercise") are the event itself: their "not" is no negation and their
   "will" no hedge, but a negation that governs them is ("did not exercise its right to opt
   out").

The forward-looking-statements section is skipped, wherever the normalizer put it.

Pure: ``extract_release(release, context)`` -> ``Extraction`` (facts, About-list pairs and
the aliases learned); ``extract_facts`` returns the facts alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from watcher.about import AboutPair, about_pairs
from watcher.mentions import (
    _REGULATORS,
    Mention,
    NameTables,
    Recognizer,
    strip_suffix,
)
from watcher.models import AliasLink, Fact, FactField, Modality, Release

# --------------------------------------------------------------------------- triggers


@dataclass(frozen=True, slots=True)
class Trigger:
    """A phrase that states a status. ``keyed_by`` says how its pair is found: ``partner``
    (a deal with an organisation) or ``product`` (a stage, a return of rights, a milestone:
    the partner is whoever holds the product). ``intrinsic`` phrases carry their own
    modality: hedging words do not apply to them."""

    rule: str
    field: FactField
    status: str
    pattern: re.Pattern[str]
    keyed_by: str = "partner"
    needs_product: bool = False
    intrinsic: bool = False
    cues: tuple[str, ...] = ()  # one of these (lower case) is in any sentence that matches


def _t(rule: str, fld: FactField, status: str, pattern: str, *, keyed_by: str = "partner",
       needs_product: bool = False, intrinsic: bool = False,
       cues: tuple[str, ...] = ()) -> Trigger:
    return Trigger(rule, fld, status, re.compile(pattern, re.IGNORECASE), keyed_by,
                   needs_product, intrinsic, cues)


_W = r"[\w’'\-]+"  # one word
# An amount of money in any currency: "$4 million", "€5 million", "CHF 3.5 million",
# "£750,000", "6 million euros".
_CURRENCY = r"(?:US\$|U\.S\.\s?\$|C\$|A\$|\$|€|£|¥|CHF|EUR|USD|GBP|JPY|SEK|DKK|NOK)"
_MONEY = (rf"(?:{_CURRENCY}\s?[\d.,]*\d(?:\s*(?:million|billion|thousand|[mb]n?\b))?|"
          r"[\d.,]*\d\s+(?:million|billion|thousand)\s+(?:euros?|pounds(?:\s+sterling)?|"
          r"dollars|Swiss\s+francs|yen|kronor|kroner))")
_AMOUNT = re.compile(
    rf"(?P<cur>{_CURRENCY})\s?(?P<num>[\d.,]*\d)(?:\s*(?P<unit>million|billion|thousand|"
    r"[mb]n?\b))?|(?P<num2>[\d.,]*\d)\s+(?P<unit2>million|billion|thousand)\s+"
    r"(?P<cur2>euros?|pounds|dollars|Swiss\s+francs|yen|kronor|kroner)", re.IGNORECASE)
# Payments that are no milestone: "a $5 million up-front payment", "an option fee".
_NOT_MILESTONE = (r"(?:up-?front|signing|option|exercise|licen[cs]e|equity|access|royalty|"
                  r"termination|amendment)\b")
# Who is paid: "earned Acme a ... payment", "entitles the Company to ...".
_PAYEE = (r"(?:the\s+Company|us|it|them|(?-i:[A-Z][\w\-’']*(?:\s+[A-Z][\w\-’']*){0,2}))")
# What an approval may be of, other than the product: a trial or a filing to run one (after
# at most two words: "the Phase 3 protocol"), or someone else's drug ("a rival inhibitor").
_NOT_THE_PRODUCT = (r"(?:(?:another|other|competing|competitor|competitors['’]?|rival|generic|"
                    r"biosimilar)\b|(?:[\w\-]+\s+){0,2}?(?:IND|Investigational|CTA|clinical\s+"
                    r"trial|protocol|stud(?:y|ies)|trials?|plan|facility|facilities|site|"
                    r"process|manufactur\w*)\b)")
_NAMEGAP = r"(?:\s+[^;:]{1,80}?)?"  # a name in the middle: "granted Northwind plc an option"
_PHASE = (r"phase\s*(?:(?:I{1,3}|[123])(?:[ab])?(?:\s*/\s*(?:I{1,3}|[123])[ab]?)?)"
          r"(?![\w/])")
_PHASE_TOKEN = re.compile(
    r"phase\s*((?:I{1,3}|[123])(?:[ab])?(?:\s*/\s*(?:I{1,3}|[123])[ab]?)?)(?![\w/])",
    re.IGNORECASE)
_SUBJECTS = r"(?:patient|subject|participant|volunteer)s?"
_START_VERB = (r"(?:initiat(?:e|ed|es|ing|ion)|begin|began|begun|begins|start(?:ed|s|ing)?|"
               r"commencement|commenc(?:e|ed|es|ing)|launch(?:ed|es)?|opened|dosed\s+(?:the\s+|its\s+)?"
               rf"first\s+(?:[\w\-]+\s+)?{_SUBJECTS}|(?:first\s+)?(?:healthy\s+)?{_SUBJECTS}"
               r"\s+(?:has|have|was|were)\s+(?:been\s+)?(?:dosed|treated|enroll?ed|randomi[sz]ed)|"
               rf"(?:enroll?ed|randomi[sz]ed)\s+the\s+first\s+{_SUBJECTS}|enter|entered|enters|advance|"
               r"advanced|advances|moved|moves|progressed)")
# A trial's own name before its description: "in ABCD-1, a Phase 3 trial", "ABC-WXYZ 2",
# "ABCD-XY" (capitals, digits and hyphens, perhaps a number after a space)
_TRIAL_NAME = r"(?-i:[A-Z][A-Za-z0-9]*(?:-[A-Z0-9][A-Za-z0-9]*)*)(?:\s+\d{1,2}[a-z]?)?"
_TRIAL = r"(?:clinical\s+)?(?:trials?|stud(?:y|ies)|testing|program(?:me)?s?|development)"
_STAGE_END = (r"(?:(?:a|an|the|its|their|our|his|her)\s+)?(?:[\w\-’',]+\s+){0,6}?" + _PHASE)

# "terminated its lease agreement": agreements that are no partnership
_NOT_PARTNERING = "".join(
    rf"(?<!{word}\s)" for word in
    "lease employment credit loan merger purchase services consulting underwriting "
    "settlement facility severance sublease".split())

TRIGGERS: tuple[Trigger, ...] = (
    # ---- relationship: endings ----------------------------------------------------------
    _t("relationship.rights_returned.option_declined", "relationship", "rights_returned",
       r"\b(?:declined|elected\s+not|decided\s+not|chose\s+not|did\s+not\s+exercise|"
       r"will\s+not\s+exercise)(?:\s+to)?\s+(?:exercise\s+)?(?:its|their|the)\s+"
       r"(?:\w+\s+){0,2}option|\boption\b[^.;]{0,60}?\b(?:expired|lapsed)\b"
       r"(?!\s+(?:after|upon|when|once)\b)|\b(?:let|allowed)\s+(?:its|the|their)\s+"
       r"(?:[\w\-]+\s+){0,2}?option\b[^.;]{0,60}?\b(?:to\s+)?(?:lapse|expire)\b", intrinsic=True,
       cues=('option',)),
    _t("relationship.not_advancing.opt_out", "relationship", "not_advancing",
       r"\b(?:elected|decided|chosen|chose|determined|opted)\s+not\s+to\s+(?:advance|proceed|"
       r"continue|pursue|develop|progress|move)|\bwill\s+not\s+(?:advance|proceed\s+with|"
       r"continue\s+(?:to\s+develop|development)|pursue|progress|develop|fund)|\bdeclined\s+to\s+"
       r"(?:advance|proceed|continue|develop)|\bdoes\s+not\s+(?:intend|plan)\s+to\s+"
       r"(?:advance|continue|develop)|\bopt(?:ed|s|ing)?\s+out\s+of\b|\bopt-out\s+of\b|"
       # ("would no longer" is left to the conditional it belongs to)
       r"\b(?:will|is|are|does|do)\s+no\s+longer\s+(?:pursue|advance|develop|progress|fund|"
       r"continue|participate|(?:be\s+)?(?:developing|pursuing|advancing))|"
       r"\b(?:decided|elected|chosen|chose|determined)\s+to\s+(?:stop|cease|end|halt)\s+"
       r"(?:its\s+|their\s+|the\s+|all\s+)?(?:development|developing|work\s+on)\b|"
       # "withdrew from the co-development of P", "ceased funding P"
       r"\bwithdr(?:ew|awn|aws|aw)\s+from\s+(?:the|its|their)\s+(?:[\w\-]+\s+){0,2}?"
       r"(?:collaboration|co-?development|co-?commerciali[sz]ation|program(?:me)?|partnership|"
       r"alliance)\b|\b(?:ceased|stopped|ended|discontinued)\s+(?:its\s+|their\s+|all\s+)?"
       r"(?:funding|financing)\s+(?:(?:of|for)\s+)?(?:the\s+|its\s+|their\s+)?(?:[\w\-]+\s+)?"
       r"(?:development|co-?development|program(?:me)?|trials?|stud(?:y|ies)|"
       r"(?-i:[A-Z][A-Za-z]{0,4}-?\d))",
       intrinsic=True,
       cues=('not', 'opt', 'no longer', 'stop', 'cease', 'end', 'halt', 'withdr', 'funding',
             'financing')),
    _t("relationship.not_advancing.deprioritized", "relationship", "not_advancing",
       r"\bde-?prioriti[sz](?:ed|es|ing|e)\b", cues=('priorit',)),
    _t("relationship.rights_returned.reverted", "relationship", "rights_returned",
       r"\b(?:all|worldwide|full|global|exclusive|the|its|their)?\s*rights\b[^.;]{0,90}?\b"
       r"(?:(?:have|has|had)\s+(?:been\s+)?|were\s+|was\s+|are\s+|is\s+|would\s+(?:have\s+)?|"
       r"will\s+|would\s+then\s+|shall\s+)(?:be\s+)?(?:returned|reverted|revert|return|"
       r"transferred\s+back)\b|\breturn(?:ed|s)?\s+(?:all\s+|the\s+|its\s+|worldwide\s+|"
       r"global\s+|full\s+)*(?:exclusive\s+)?(?:worldwide\s+)?rights\b|"
       r"\b(?:regain(?:ed|s|ing)?|reacquir(?:ed|es)|recover(?:ed|s))\s+"
       r"(?:all\s+|full\s+|worldwide\s+|global\s+|the\s+)*(?:exclusive\s+)?(?:worldwide\s+)?"
       r"rights\b|\breturn\s+of\s+(?:all\s+|the\s+)?(?:worldwide\s+)?rights\b|"
       r"\b(?:hand(?:ed|s)?|gave|give[sn]?|transferred|sold)\s+(?:all\s+|the\s+|its\s+|"
       r"worldwide\s+|global\s+|full\s+)*(?:exclusive\s+)?(?:worldwide\s+)?rights\b[^.;]{0,60}?"
       r"\bback\b|\b(?:hand(?:ed|s)?|gave|give[sn]?)\s+back\s+(?:all\s+|the\s+|its\s+|"
       r"worldwide\s+|global\s+|full\s+)*(?:exclusive\s+)?(?:worldwide\s+)?rights\b|"
       # "handed P back to the Company"
       r"\b(?:hand(?:ed|s)?|gave|give[sn]?|turned)\s+(?:[\w\-]+\s+){1,3}?back\s+to\b",
       keyed_by="product", needs_product=True,
       cues=('rights', 'back')),
    _t("relationship.terminated.notice", "relationship", "terminated",
       r"\b(?:terminat(?:ed|es|ing|e)|end(?:ed|s|ing)?|cancel(?:l)?(?:ed|s|ing)?)\s+"
       r"(?:(?:its|the|their|our|this|that)\s+)?(?:[\w\-’']+\s+){0,4}?" + _NOT_PARTNERING +
       r"(?:licen[cs]e|collaboration|agreement|alliance|partnership|deal)\b|\bnotice\s+of\s+"
       r"termination\b|\bterminat(?:ed|ion\s+of)\s+(?:the|its|their|our)\s+"
       r"(?:[\w\-’']+\s+){0,4}?" + _NOT_PARTNERING + r"(?:licen[cs]e|collaboration|agreement)|"
       # "the license agreement with X for P was terminated", "X's license to P ended"
       r"\b" + _NOT_PARTNERING + r"(?:licen[cs]e|collaboration|alliance|partnership)(?:\s+"
       r"agreement)?\b(?:\s+(?:with|between|for|covering|to|of|on)\b(?:(?!\b(?:may|might|could|"
       r"would|will|shall|can|should|must|if|unless|not)\b)[^.;,]){1,80}?)?\s+(?:was\s+|"
       r"were\s+|has\s+been\s+|have\s+been\s+|had\s+been\s+)?(?:terminated|ended|cancell?ed|"
       r"expired)\b",
       cues=('terminat', 'end', 'cancel', 'expired')),
    _t("relationship.acquired.completed", "relationship", "acquired",
       r"\bcompleted\s+(?:its|the)\s+(?:acquisition|purchase)\s+of\b|\b(?:has\s+)?acquired\s+"
       r"(?=[A-Z])|\bwhich\s+acquired\b|\b(?:the|its)\s+acquisition\s+of\s+(?=[A-Z])",
       cues=('acqui', 'purchase')),
    # "X has licensed P for Canada": the partner took a license (the filer's own "has
    # licensed P to X" is the licensed rule's)
    _t("relationship.licensed.partner_subject", "relationship", "licensed",
       r"\b(?:has|have|had)\s+(?:exclusively\s+)?(?:in-)?licen[cs]ed\b(?![^.;]{0,60}?\b(?:to|from)\b)",
       needs_product=True, cues=('licen',)),
    # "X has acquired all United States rights to P": a purchase of the product's rights
    _t("relationship.acquired.rights", "relationship", "acquired",
       r"\b(?:acquired|purchased|bought)\s+(?:all\s+|the\s+|full\s+|its\s+)?(?:(?:remaining|"
       r"exclusive|worldwide|global|commercial|U\.S\.|[A-Z][a-z]+)\s+){0,3}rights\s+(?:to|for|in)\b",
       needs_product=True, cues=('acquired', 'purchased', 'bought')),
    # ---- relationship: options and licenses ----------------------------------------------
    _t("relationship.option_exercised", "relationship", "option_exercised",
       r"\bexercis(?:e|ed|es|ing)\s+(?:its|their|the|an|this|that)\s+(?:[\w\-]+\s+){0,2}?"
       r"(?:option|opt-in)\b(?!\s+to\s+purchase)|\bexercise\s+of\s+(?:its|the|their)\s+"
       r"(?:option|opt-in)\b|\bopted\s+in\b|"
       # "exercised its right to an exclusive license", "... its right to obtain a license"
       r"\bexercis(?:e|ed|es|ing)\s+(?:its|their|the|an|this|that)\s+(?:[\w\-]+\s+)?right\s+to\s+"
       r"(?:(?:an?|the)\s+)?(?:(?:exclusive|non-exclusive|co-exclusive|worldwide|global|"
       r"[\w\-]+-wide)\s+)*licen[cs]e\b|\bexercis(?:e|ed|es|ing)\s+(?:its|their|the)\s+"
       r"(?:[\w\-]+\s+)?right\s+to\s+(?:obtain|take|acquire|license|licence|in-license)\b|"
       r"\bt(?:ake|akes|aken|aking|ook)\s+up\s+(?:its|their|the)\s+(?:[\w\-]+\s+){0,2}?option\b",
       needs_product=True,
       cues=('exercis', 'opted in', 'up')),
    _t("relationship.option_granted", "relationship", "option_granted",
       rf"\b(?:been\s+granted|granted|grants|received|receives|obtained|obtains|acquired|"
       rf"acquires|took|takes|holds|hold){_NAMEGAP}\s+(?:an?\s+|the\s+)?(?:exclusive\s+|"
       rf"worldwide\s+|non-exclusive\s+)*options?\s+(?:to|on|for)\b(?!\s+purchase)|"
       rf"\boption\s+(?:and\s+licen[cs]e\s+)?agreement\b|\boptions?\s+to\s+licen[cs]e\b|"
       rf"\bTakes\s+Option\b", needs_product=True,
       cues=('option',)),
    _t("relationship.licensed", "relationship", "licensed",
       rf"\bgrant(?:ed|s|ing)?{_NAMEGAP}\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){{0,3}}?"
       rf"(?:licen[cs]e|rights)\b|\b(?:has|have)?\s*obtain(?:ed|s)\s+(?:an?\s+)?"
       rf"(?:exclusive\s+|worldwide\s+|non-exclusive\s+)*(?:licen[cs]e|rights)\b|"
       rf"\b(?:entered\s+into|signed|executed|enter\s+into|sign|announced|concluded)\s+"
       rf"(?:an?\s+|the\s+|their\s+)?(?:[\w\-]+\s+){{0,5}}?licen[cs](?:e|ing)\s+"
       rf"(?:and\s+[\w\-]+\s+)?agreement\b|\blicen[cs](?:e|ing)\s+(?:and\s+[\w\-]+\s+)?"
       rf"agreement\s+with\b|\b(?:receives?|received|obtains?|obtained|gains?|gained|"
       rf"acquires?|acquired)\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){{0,3}}?(?:licen[cs]e|rights)\b"
       rf"(?!\s+offering)|\b(?:is|are|was|been)?\s*"
       rf"licen[cs]ed\s+(?:[\w\-]+\s+){{0,3}}?to\b|\blicen[cs]ed\b[^.;]{{0,90}}?\b"
       rf"(?:from|to)\s+(?=[A-Z])|\blicen[cs]es\s+(?:[\w\-]+\s+){{0,6}}?to\b|\btechnology\s+access\s+"
       rf"agreement\b|\bholds?\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){{0,3}}?(?:licen[cs]e|rights)"
       rf"\s+to\b|\bpartnered\s+with\b|"
       rf"\btransferred\s+to\b[^.;]{{0,40}}\bexisting\s+terms\b|"
       rf"\bagreement\s+to\s+(?:exclusively\s+)?licen[cs]e\b|\blicen[cs]e\s+agreement\s+"
       rf"continues\b|\bwithdrawn\s+(?:the|its)\s+notice\s+of\s+termination\b",
       cues=('licen', 'rights', 'access', 'partnered', 'transferred', 'withdrawn')),
    _t("relationship.renegotiating", "relationship", "renegotiating",
       r"\brenegotiat(?:e|es|ed|ing|ion)\b|\bnegotiations?\s+with\b[^.;]{0,40}\b(?:revised|"
       r"new|amended)\s+terms\b|\brestructured\s+arrangement\b",
       cues=('negotiat', 'restructured')),
    _t("relationship.extended", "relationship", "extended",
       r"\bextend(?:ed|s|ing)?\s+(?:the|its|our|their)\s+(?:[\w\-]+\s+){0,3}?(?:collaboration|"
       r"agreement|alliance|partnership|research\s+term|term)\b|\bextension\s+of\s+(?:the|its|"
       r"their)\s+(?:[\w\-]+\s+){0,2}?(?:collaboration|agreement)|"
       r"\b(?:renew(?:ed|s|ing)?|prolong(?:ed|s|ing)?)\s+(?:the|its|our|their)\s+"
       r"(?:(?!(?:to|for|with|of|in|commitment|support)\b)[\w\-]+\s+){0,3}?(?:collaboration|"
       r"agreement|alliance|partnership|research\s+term|term)\b|\b(?:collaboration|agreement|alliance|partnership|research\s+term)"
       r"(?:\s+with\s+[^.;,]{1,60}?)?\s+(?:has\s+been|have\s+been|was|were)\s+"
       r"(?:extended|renewed|prolonged)\b|"
       # "agreed to continue their collaboration for two more years / until 2012"
       r"\b(?:agreed|decided|elected|chosen|chose)\s+to\s+continue\s+(?:the|its|our|their)\s+"
       r"(?:[\w\-]+\s+){0,3}?(?:collaboration|agreement|alliance|partnership)\s+(?:for\s+"
       r"(?:another|an?\s+(?:additional|further)|(?:[\w\-]+\s+)?(?:more|additional|further))"
       r"\s+(?:[\w\-]+\s+)?(?:years?|months?|terms?|periods?)|(?:until|through|into|beyond)\s+"
       r"(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d)",
       cues=('extend', 'extension', 'renew', 'prolong', 'continue')),
    _t("relationship.expanded", "relationship", "expanded",
       r"\bexpand(?:ed|s|ing)?\s+(?:the|its|our|their)\s+(?:[\w\-]+\s+){0,3}?(?:collaboration|"
       r"agreement|alliance|partnership|licen[cs]e)\b|\bexpanded\s+(?:[\w\-]+\s+){0,2}?collaboration\b|"
       r"\bexpansion\s+of\s+(?:the|its|their)\s+(?:[\w\-]+\s+){0,2}?(?:collaboration|alliance)|"
       r"\b(?:amended|broadened|enlarged)\s+(?:the|its|their)\s+(?:[\w\-]+\s+){0,3}?"
       r"(?:collaboration|agreement|alliance|partnership)\s+to\s+(?:add|include|cover)\b|"
       r"\badd(?:ed|s)\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){0,3}?(?:program(?:me)?|product|"
       r"candidate|target|compound|indications?|antibod(?:y|ies))\b[^.;]{0,60}?\bto\s+(?:the|its|"
       r"their|our)\s+(?:[\w\-]+\s+){0,2}?(?:collaboration|alliance|agreement|partnership|"
       r"licen[cs]e)\b|"
       # "the partner's license, which covered Europe, now extends to all territories"
       r"\b(?:licen[cs]e|rights|collaboration|agreement|field|territory)\b[^.;]{0,90}?\bnow\s+"
       r"(?:extends?\s+to|covers?|includes?|encompasses)\s+(?:all|every|the\s+whole|"
       r"worldwide|global|additional|other|further|both|[\w\-]+\s+(?:additional|other|more))\b",
       cues=('expan', 'amended', 'broadened', 'enlarged', 'now', 'add')),
    _t("relationship.collaborating", "relationship", "collaborating",
       r"\b(?:entered\s+into|signed|formed|form|established|announced|launched|enter|has|have)"
       r"\s+(?:an?\s+|the\s+|their\s+|our\s+)?(?:[\w\-]+\s+){0,5}?(?:collaboration|"
       r"co-?development|alliance|partnership|co-?promotion|co-?marketing|"
       r"co-?commerciali[sz]ation)\b(?!\s+(?:revenue|funding|partner))|"
       r"\bentered\s+into\s+an?\s+agreement\s+with\b[^.;]{0,90}?\bto\s+jointly\s+develop\b|"
       r"\bco-?develop(?:ing|s)?\b|\bcollaborating\s+with\b|\bjointly\s+develop\b|"
       r"\bagreement\s+to\s+co-?(?:promote|market|commerciali[sz]e)\b",
       cues=('collaborat', 'develop', 'alliance', 'partnership', 'co-promot', 'copromot',
             'co-market', 'commerciali')),
    _t("relationship.in_discussion", "relationship", "in_discussion",
       r"\b(?:in|entered(?:\s+into)?)\s+(?:exclusive\s+)?(?:discussions|negotiations|talks)\s+"
       r"with\b|\b(?:letter\s+of\s+intent|term\s+sheet|memorandum\s+of\s+understanding)\b",
       cues=('discussions', 'negotiations', 'talks', 'intent', 'term sheet',
             'memorandum')),
    # ---- stage ---------------------------------------------------------------------------
    _t("stage.on_hold.clinical_hold", "stage", "on_hold",
       r"\b(?:placed|put|imposed)\b[^.;]{0,80}?\bon\s+(?:a\s+)?(?:partial\s+|full\s+)?"
       r"clinical\s+hold\b|\b(?:placed|put|imposed)\s+(?:a\s+)?(?:partial\s+|full\s+)?"
       r"clinical\s+hold\s+on\b",
       keyed_by="product", needs_product=True,
       cues=('hold',)),
    # "suspended dosing in its Phase 1 study", "paused enrollment": a hold the partner chose
    _t("stage.on_hold.suspended", "stage", "on_hold",
       r"\b(?:suspend(?:ed|s|ing)?|paus(?:ed|es|ing))\s+(?:the\s+|all\s+|further\s+|its\s+|their\s+)*"
       r"(?:[\w\-/]+\s+){0,2}?(?:dosing|enrol(?:l)?ment|recruitment|treatment|trials?|"
       r"stud(?:y|ies)|development)\b|\b(?:put|puts|putting|placed|places|placing)\s+"
       r"(?:(?:the|its|their|all|further)\s+)?(?:[\w\-/]+\s+){0,3}?(?:development|program(?:me)?|"
       r"trials?|stud(?:y|ies)|dosing|enrol(?:l)?ment)\s+(?:of\s+[^.;]{1,40}?\s+)?on\s+hold\b|"
       r"\b(?:put|puts|putting|placed|places|placing)\s+on\s+hold\s+(?:(?:the|its|their|all|"
       r"further)\s+)?(?:[\w\-/]+\s+){0,3}?(?:development|program(?:me)?|trials?|stud(?:y|ies)|"
       r"dosing|enrol(?:l)?ment)\b|\btemporarily\s+(?:halted|stopped|suspended|paused)\b|"
       r"\b(?:development|program(?:me)?|trials?|stud(?:y|ies)|dosing|enrol(?:l)?ment)\b[^.;]{0,60}?"
       r"\b(?:was|were|has\s+been|have\s+been|is|are)\s+(?:put|placed)\s+on\s+hold\b",
       keyed_by="product", needs_product=True,
       cues=('suspend', 'paus', 'hold', 'temporarily')),
    _t("stage.resumed.hold_lifted", "stage", "resumed",
       r"\blift(?:ed|s)?\s+(?:the\s+)?(?:partial\s+|full\s+)?clinical\s+hold\b|\bhold\s+"
       r"(?:has|had)\s+been\s+lifted\b|\bhold\s+(?:was|is)\s+lifted\b|\bLifts\s+Clinical\s+Hold\b|"
       # "resumed enrollment in the Phase 2 trial": back to the stage before the hold
       r"\bresum(?:ed|es|ing)\s+(?:the\s+|its\s+|their\s+)?(?:[\w\-/]+\s+){0,2}?(?:dosing|"
       r"enrol(?:l)?ment|recruitment|development|trials?|stud(?:y|ies))\b",
       keyed_by="product", needs_product=True,
       cues=('hold', 'resum')),
    _t("stage.discontinued", "stage", "discontinued",
       r"\b(?:discontinu(?:e|ed|es|ing)|stopped|halted|terminated|ceased|ended)\s+(?:the\s+|all\s+|"
       r"further\s+|its\s+|their\s+)*(?:[\w\-/]+\s+){0,3}?(?:development|program|trials?|"
       r"stud(?:y|ies))\b",
       keyed_by="product", needs_product=True,
       cues=('discontinu', 'stopped', 'halted', 'terminated', 'ceased', 'ended')),
    _t("stage.delayed", "stage", "delayed",
       r"\b(?:delay(?:ed|s)?|postpone(?:d|s)?|push(?:ed)?\s+back)\b(?!\s+or\b)|\b(?:new|revised|"
       r"later)\s+target\s+(?:[\w\-]+\s+){0,2}?date\b|\bslipp(?:ed|ing)\s+(?:to|into|by|until)\b",
       keyed_by="product", needs_product=True, intrinsic=True,
       cues=('delay', 'postpone', 'push', 'target', 'slipp')),
    _t("stage.approved", "stage", "approved",
       r"\b(?:FDA|EMA|agency|Commission|authorities|authority|regulators?|Administration|"
       r"MHLW|PMDA|Ministry|Welfare|MHRA|Swissmedic|Canada|NMPA|TGA|ANVISA)\s+"
       r"(?:has\s+)?(?:approved|granted\s+(?:marketing\s+)?approval)\b(?!\s+(?:(?:of|for)\s+)?"
       r"(?:the\s+|an?\s+|its\s+|[A-Z][\w\-]*['’]s\s+)?(?:" + _NOT_THE_PRODUCT +
       r"|design|start|initiation|request))|\b(?:received|receives|won|wins|secured|secures|"
       r"gained|gains|obtained|granted)\s+(?:[\w\-]+\s+){0,3}?(?:marketing\s+)?(?:approval|authori[sz]ation)"
       r"\b(?!\s+to\s+(?:begin|start|initiate|proceed|conduct|commence|enroll|dose|test))"
       r"(?![^.;]{0,40}\b(?:IND|Investigational\s+New\s+Drug|clinical\s+trial\s+application|"
       r"CTA|protocol|plan|facility|site|process|manufactur\w*|design)\b)[^.;]{0,60}?\b(?:for|of)\b|\bapproval\s+of\s+(?=[A-Za-z])"
       r"(?!(?:an?\s+|the\s+|its\s+|their\s+)?" + _NOT_THE_PRODUCT + r")|"
       r"\bapproved\s+in\s+the\b|\b(?:was|were|has\s+been|have\s+been)\s+approved\b",
       keyed_by="product", needs_product=True,
       cues=('approv', 'authori')),
    _t("stage.marketed", "stage", "marketed",
       r"\b(?:launched|launches|began\s+(?:selling|marketing)|commercial(?:ly)?\s+launch(?:ed)?"
       r"(?:\s+of)?|first\s+commercial\s+sales?\s+of)\b(?!\s+(?:a|an|the|its|their|our)\s+"
       r"(?:[\w\-]+\s+){0,3}?(?:collaboration|partnership|alliance|program|trial|study|"
       r"offering|company|website))(?!\s+(?:an?\s+|the\s+|its\s+|their\s+)?(?:competing|"
       r"competitor|competitors['’]?|rival|similar|generic|biosimilar|another|other)\b)",
       keyed_by="product", needs_product=True,
       cues=('launch', 'selling', 'marketing', 'commercial sale')),
    _t("stage.filed", "stage", "filed",
       r"\baccepted\s+(?:for\s+(?:review|filing)\s+)?(?:the\s+|its\s+|[A-Z][\w\-]*(?:\s+"
       r"[A-Z][\w\-]*){0,3}['’]s\s+)?(?:NDA|BLA|MAA|New\s+Drug\s+Application|Biologics\s+"
       r"License\s+Application|Marketing\s+Authori[sz]ation\s+Application)\b|"
       r"\b(?:file|filed|submit|submitted|submits|files|submission\s+of)\s+"
       r"(?:an?\s+|the\s+|its\s+)?(?:New\s+Drug\s+Application|Biologics\s+License\s+"
       r"Application|Marketing\s+Authori[sz]ation\s+Application|NDA|BLA|MAA|(?:regulatory|"
       r"marketing)\s+(?:approval\s+)?application)\b|"
       # "filed for approval of P in Europe", "applied for marketing authorization"
       r"\b(?:file[sd]?|appl(?:y|ies|ied)|submitted)\s+for\s+(?:(?:marketing|regulatory|"
       r"conditional|full)\s+)?(?:approval|authori[sz]ation)\b",
       keyed_by="product", needs_product=True,
       cues=('application', 'nda', 'bla', 'maa', 'for approval', 'for marketing',
             'for regulatory', 'for authori', 'for conditional', 'for full')),
    # A clinical trial application (CTA) is the European IND: filing it, or its approval,
    # counts as ind_filed (never as an approval of the product).
    _t("stage.ind_filed", "stage", "ind_filed",
       r"\b(?:file|filed|submit|submitted|submits|files|submission\s+of|filing\s+of|"
       r"accepted|approved|cleared|(?:approval|clearance|acceptance|authori[sz]ation)\s+"
       r"(?:of|for))\s+(?:an?\s+|the\s+|its\s+|their\s+|[A-Z][\w\-]*['’]s\s+)?"
       r"(?:Investigational\s+New\s+Drug|IND|clinical\s+trial\s+application|CTA)\b",
       keyed_by="product", needs_product=True,
       cues=('investigational', 'ind', 'cta', 'clinical trial application')),
    _t("stage.phase.started", "stage", "phase",
       rf"\b{_START_VERB}\s+(?:\w+\s+){{0,2}}?(?:in\s+)?(?:{_TRIAL_NAME},\s+)?{_STAGE_END}"
       rf"|\b{_PHASE}\s+(?:clinical\s+)?(?:trial|study)\s+(?:of\s+[^.;]{{1,40}}?\s+)?"
       rf"(?:has\s+)?(?:began|begun|started|initiated|commenced)\b|\bFirst\s+Patient\s+Dosed\s+"
       rf"in\s+{_PHASE}",
       keyed_by="product", needs_product=True,
       cues=('phase',)),
    _t("stage.phase.in_progress", "stage", "phase",
       rf"\b(?:is|are|remains?|now)\s+(?:currently\s+)?in\s+{_PHASE}|\b(?:is|are)\s+"
       rf"(?:currently\s+)?(?:being\s+)?(?:evaluated|studied|tested|investigated|assessed)\s+"
       rf"in\s+(?:a|an|the|two|several)\s+(?:[\w\-]+\s+){{0,2}}?{_PHASE}|\b(?:conducting|continued|continues|"
       rf"completed|completing|has\s+completed|have\s+completed)\s+(?:a|an|the|its|their)?\s*"
       rf"(?:[\w\-]+\s+){{0,2}}?{_PHASE}\s+{_TRIAL}|\bcompleted\s+{_PHASE}\s+{_TRIAL}",
       keyed_by="product", needs_product=True,
       cues=('phase',)),
    _t("stage.phase_1.entered_clinic", "stage", "phase_1",
       r"\b(?:entered|enters|reached|reach(?:es)?)\s+the\s+clinic\b",
       keyed_by="product", needs_product=True,
       cues=('clinic',)),
    # "advanced P, an oral inhibitor, into preclinical development": news, not a restatement
    _t("stage.preclinical.entered", "stage", "preclinical",
       r"\b(?:advance[ds]?|move[ds]?|progress(?:ed|es)?|br(?:ing|ought)|t(?:ake|ook|aken))\s+"
       r"(?:[^.;]{1,80}?\s+)?into\s+(?:formal\s+)?(?:preclinical|IND-enabling)\s+(?:development|"
       r"studies|testing|toxicology)\b|\b(?:entered|enters|began|begun|started|initiated)\s+"
       r"(?:formal\s+)?(?:preclinical|IND-enabling)\s+(?:development|studies|testing)\b",
       keyed_by="product", needs_product=True,
       cues=('preclinical', 'ind-enabling')),
    _t("stage.preclinical", "stage", "preclinical",
       r"\bin\s+preclinical\s+development\b|\b(?:at|in)\s+(?:the\s+|an?\s+)?(?:late\s+|early\s+)?"
       r"pre-?clinical\s+(?:stage|phase)\b|\bpreclinical\s+(?=(?:[\w\-]+\s+){0,3}?"
       r"(?:therapy|inhibitor|candidate|compound|antibody|conjugate|molecule|program|product|"
       r"gene|treatment|drug|medicine|agent|vaccine|asset))|\bIND-enabling\s+(?:studies|work|toxicology|program)\b|\bpreclinical\s+"
       r"(?:evaluation|studies|testing|development)\s+of\b",
       keyed_by="product", needs_product=True, intrinsic=True,
       cues=('preclinical', 'ind-enabling')),
    # "the program is at the research stage" (a restatement) ...
    _t("stage.research", "stage", "research",
       r"\b(?:is|are|was|were|remains?|still)\s+(?:still\s+)?(?:at|in)\s+(?:the\s+|an?\s+)?"
       r"(?:early\s+)?research\s+(?:stage|phase)\b|\bresearch[-\s]stage\s+(?:program|compound|"
       r"project|candidate|molecule)",
       keyed_by="product", needs_product=True, intrinsic=True,
       cues=('research',)),
    # ... and "have returned P to the research stage" (the one move back the ledger takes)
    _t("stage.research.returned", "stage", "research",
       r"\b(?:returned|moved|sent|put|taken|took)\s+(?:[^.;]{1,60}?\s+)?back\s+(?:in)?to\s+"
       r"(?:the\s+)?research\b|\b(?:returned|reverted)\s+(?:[^.;]{1,60}?\s+)?to\s+(?:the\s+)?"
       r"research\s+(?:stage|phase)\b",
       keyed_by="product", needs_product=True,
       cues=('research',)),
    # ---- milestones ----------------------------------------------------------------------
    _t("milestone.reached", "milestone", "milestone_reached",
       rf"\b(?:trigger(?:s|ed|ing)?|earn(?:s|ed)?|receiv(?:es|ed)|achiev(?:es|ed)|paid|pays|"
       rf"generat(?:es|ed)|"
       rf"result(?:s|ed)\s+in)\s+(?:{_PAYEE}\s+)?(?:an?\s+|the\s+)?(?:{_MONEY}\s+)?"
       rf"(?:[\w\-]+\s+){{0,2}}?milestone(?:\s+payment)?\b|"
       rf"\b(?:entitl(?:es|ed)\s+{_PAYEE}|(?:became|becomes|is\s+now)\s+entitled)\s+to\s+"
       rf"(?:receive\s+)?(?:an?\s+|the\s+)?"
       rf"(?:{_MONEY}\s+)?(?:[\w\-]+\s+){{0,2}}?milestone(?:\s+payment)?\b|"
       rf"\b(?:trigger(?:s|ed|ing)?|generat(?:es|ed)|result(?:s|ed)\s+in)\s+(?:an?\s+|the\s+)?"
       rf"{_MONEY}\s+(?:(?!{_NOT_MILESTONE})[\w\-]+\s+){{0,2}}?payment\b|"
       rf"\b(?:trigger(?:s|ed|ing)?|generat(?:es|ed))\s+(?:an?\s+|the\s+)?(?:(?!{_NOT_MILESTONE})"
       rf"[\w\-]+\s+){{0,2}}?payment\s+of\s+{_MONEY}|"
       rf"{_MONEY}\s+milestone(?:\s+payment)?\s+(?:earned|received|paid|triggered)\b|"
       rf"\brecogni[sz]ed\s+(?:an?\s+|the\s+)?{_MONEY}\s+(?:[\w\-]+\s+){{0,2}}?milestone\b|"
       rf"\bEarns\s+{_MONEY}\s+Milestone\b",
       keyed_by="product", needs_product=True,
       cues=('milestone', 'payment')),
    # A sum paid or received on an event, without the word "milestone" ("paid the Company
    # $750,000 upon selection of the candidate"): checked for the event and for what the sum
    # is not (an up-front fee, royalties, a purchase price) in ``_Extractor._fact``.
    _t("milestone.paid_on_event", "milestone", "milestone_reached",
       rf"\b(?:paid|pays|received|receives|earned|earns|collected)\s+(?:{_PAYEE}\s+)?"
       rf"(?:an?\s+|the\s+)?{_MONEY}",
       keyed_by="product", needs_product=True,
       cues=('paid', 'pays', 'receive', 'earn', 'collected')),
)

# Relationship statuses that several phrases of one release may state about one pair: the
# strongest wins (a termination with a return of rights is a return of rights).
MAX_SENTENCE = 1200  # characters; longer "sentences" are cut at clause boundaries
RELATIONSHIP_RANK: dict[str, int] = {
    "in_discussion": 0, "collaborating": 1, "licensed": 2, "renegotiating": 3,
    "option_granted": 4, "extended": 5, "expanded": 5, "option_exercised": 6,
    "acquired": 7, "not_advancing": 8, "terminated": 9, "rights_returned": 10,
}
ENDED = frozenset({"terminated", "rights_returned"})
# A partner on its way out of a deal: the rights that come back are its.
_LEAVING = frozenset({"not_advancing", "terminated", "renegotiating"})
# Statuses that are about a deal on a product even when the sentence names none ("open
# negotiations with X on revised terms" is about the product X licensed).
_DEAL_LEVEL = frozenset({"renegotiating", "not_advancing", "terminated", "rights_returned"})

# --------------------------------------------------------------------------- modality

_CONDITIONAL_BEFORE = re.compile(
    r"\b(?:if|unless|in\s+the\s+event|provided\s+that|assuming|should\s+(?!be\b)\w+|"
    r"upon\s+(?:the\s+)?(?:effective\s+date|exercise|termination|expiry|expiration)|"
    r"on\s+exercise|would(?:\s+have)?|could\s+have|in\s+case)\b", re.IGNORECASE)
_CONDITIONAL_AFTER = re.compile(
    r"^[^;]{0,80}?\b(?:if|unless|provided\s+that|in\s+the\s+event|subject\s+to\s+(?:the\s+)?"
    r"(?:approval|exercise|completion))\b", re.IGNORECASE)
# A stage told as a noun ("the start of", "initiation of") whose clause goes on in the future.
_NOUN_START = re.compile(r"(?:start|initiation|commencement|beginning|launch)\s+of\b",
                         re.IGNORECASE)
_FUTURE_AFTER = re.compile(r"^[^,;]{0,80}?\b(?:will|would|shall|may|might|could|is\s+expected|"
                           r"are\s+expected)\b", re.IGNORECASE)
# ... or that did not happen: "the start of the Phase 3 trial has slipped to 2015"
_NOT_HAPPENED_AFTER = re.compile(
    r"^[^,;]{0,80}?\b(?:delay|postpon|slipp|push|expected|planned|scheduled|anticipated|"
    r"deferred|moved\s+to|pending|not\s+yet|has\s+not|have\s+not|was\s+not)", re.IGNORECASE)
_COUNTERFACTUAL = re.compile(r"^\s*Had\s+\w", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|yet\s+to|no\s+longer|withdr[ae]wn?|withdrew|"
    r"rescind(?:ed)?|revok(?:ed|es)|cancel(?:l)?ed|instead\s+of|rather\s+than)\b|n't\b",
    re.IGNORECASE)
# A negation a few words before an intrinsic phrase governs it: "did not exercise its right to
# opt out", "has not decided to stop developing".
_GOVERNING_NEGATION = re.compile(r"\b(?:not|never|no)\s+(?:[\w\-’']+\s+){0,4}$", re.IGNORECASE)
_STRONG_HEDGE = re.compile(
    r"\b(?:may|might|could|can|possibility|possible|possibly|risk|risks|potential|"
    r"potentially|whether|uncertain|uncertainty|unable|fail(?:s|ed)?\s+to)\b", re.IGNORECASE)
_WEAK_HEDGE = re.compile(
    r"\b(?:will|shall|would|expects?|expected|expecting|anticipates?|anticipated|"
    r"anticipating|plans?|planned|planning|intends?|intended|intention|aims?|hopes?|seeks?|"
    r"seeking|likely|believes?|estimates?|projected|targets?\s+to|goal|objective|is\s+to|"
    r"are\s+to|to\s+be|prepar(?:es|ing)\s+to|preparing|proposed|pending|toward|towards|"
    r"look\s+forward|looking\s+forward|wants?\s+to|would\s+like|designed\s+to|"
    r"in\s+order\s+to|to\s+enable|next\s+step|once|right\s+to|rights\s+to|entitled\s+to|"
    r"able\s+to|ability\s+to|eligible|up\s+to|on\s+track|(?:approval|permission|"
    r"clearance|authori[sz]ation|go-ahead)\s+to|allow(?:ed|s|ing)?\s+(?:\w+\s+){0,3}?to)\b",
    re.IGNORECASE)
_EXERCISED_RIGHT = re.compile(r"\bexercis(?:ed|es|ing)\s+(?:its|their|the|an?)\s+(?:[\w\-]+\s+)?"
                              r"right\s+to\s+$", re.IGNORECASE)
_REPORTED_DECISION = re.compile(
    r"\b(?:notified|informed|advised|told|gave\s+(?:\w+\s+)?notice|given\s+(?:\w+\s+)?notice|"
    r"announced)\b[^.;]{0,60}?\bthat\s+(?:it|they|the\s+company|[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)"
    r"{0,3})\s+(?:will|shall)\s+$", re.IGNORECASE)
_HISTORICAL = re.compile(
    r"\b(?:previously|originally|formerly|then\s+known\s+as|in\s+the\s+past|at\s+the\s+time|"
    r"last\s+year|earlier\s+this\s+year|years?\s+ago|since\s+(?:(?:January|February|March|"
    r"April|May|June|July|August|September|October|November|December)\s+)?(?:19|20)\d\d|"
    r"had\s+(?:previously|earlier)|between\s+(?:19|20)\d\d\s+and)\b", re.IGNORECASE)
_MONTH_MAY = re.compile(r"\bMay(?=\s+(?:\d|of\s+(?:19|20)\d\d))")
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december"
    .split(), start=1)}
_MONTH_ABBR = {m[:3]: i for m, i in _MONTHS.items()} | {"mai": 5}
_DATE = re.compile(
    r"\b(?:(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+"
    r"(?:(?P<day>\d{1,2}),?\s+)?(?P<year>(?:19|20)\d\d)|(?:in|during|since|from|by|of|early|"
    r"late|mid-?|end\s+of|half\s+of|quarter\s+of)\s+(?P<yonly>(?:19|20)\d\d))\b",
    re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r";|,\s+(?:while|whereas|but|although|though|"
    r"and\s+(?=(?:all|the|its|their|it|they|we|[A-Z])))\b|\bSeparately,", re.IGNORECASE)
# "Eastgate, which acquired Northwind in 2011, began ..." - a relative clause is its
# own clause, between commas or up to the end of the sentence.
_RELATIVE = re.compile(r",\s+(?:which|who|whose|where|after\s+which)\b[^,;]*(?:,|$)",
                       re.IGNORECASE)

# --------------------------------------------------------------------------- sections

_FLS_TEXT = re.compile(
    r"forward[\s-]looking\s+statements?|safe\s+harbor|private\s+securities\s+litigation\s+"
    r"reform\s+act|except\s+for\s+(?:the\s+)?historical\s+information", re.IGNORECASE)
_CONTACT_TEXT = re.compile(r"^\s*(?:media\s+|investor\s+|company\s+)?contacts?\s*:",
                           re.IGNORECASE)
_DATELINE = re.compile(
    r"^.{0,420}?\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
    r"\d{1,2},\s*(?:19|20)\d\d\s*(?:/[^/]{0,40}/|\([A-Z][A-Za-z ]{0,30}\))?\s*(?:--|-|–|—|:)+\s*",
    re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[*•·\-–]|\d{1,2}[.)])\s*(?:\|\s*)?")
# "Acme regains rights in Asia, while X retains Europe": the partner keeps part of the deal.
_PARTIAL_RIGHTS = re.compile(
    r"\b(?:while|whereas|but)\b[^.;]{0,80}\b(?:retains?|keeps?|continues?\s+to\s+hold|"
    r"will\s+(?:retain|keep))\b|\b(?:except|outside(?:\s+of)?)\s+(?:in\s+)?(?:the\s+)?"
    r"[A-Z][a-z]+")
# What a sum paid on an event is paid for: the event ("upon selection of the candidate",
# "with the first commercial sale") and the payments that are no milestone.
_PAYMENT_EVENT = re.compile(
    r"\b(?:upon|on|following|after|with|for|at|triggered\s+by)\s+(?:the\s+|its\s+)?"
    r"(?:[\w\-]+\s+){0,3}?(?:approval|launch|filing|submission|acceptance|initiation|start|"
    r"commencement|dosing|enrol(?:l)?ment|randomi[sz]ation|selection|nomination|designation|"
    r"achievement|clearance|(?:first\s+)?commercial\s+sale|first\s+(?:patient|subject|sale|"
    r"dose))\b", re.IGNORECASE)
_NOT_A_MILESTONE_SUM = re.compile(
    r"\b(?:up-?front|upfront|signing|closing|royalt(?:y|ies)|equity|shares|stock|purchase|"
    r"exercise\s+fee|option\s+fee|exclusivity|expansion\s+fee|licen[cs]e\s+fees?|"
    r"reimburs\w*|research\s+funding|offering|placement|loan|grant|"
    r"(?<!commercial\s)sale\s+of)\b", re.IGNORECASE)
_SOUGHT = re.compile(
    r"\b(?:for|seek(?:s|ing)?|sought|request(?:s|ed|ing)?|await(?:s|ed|ing)?|pending|"
    r"toward|towards|appl(?:y|ies|ied|ying))\s+(?:[\w\-]+\s+){0,2}$", re.IGNORECASE)
# Rules whose partner is the subject of their verb ("X has licensed P", "X has acquired the
# rights to P"); otherwise the filer is.
_SUBJECT_RULES = frozenset({"relationship.licensed.partner_subject",
                            "relationship.acquired.rights"})
_ENDING_NEWS = re.compile(
    r"\b(?:discontinu(?:ed|es|ing)|terminat(?:ed|es|ing)|stopped|halted|ceased|returned\s+"
    r"(?:all\s+|the\s+)?rights|(?:elected|decided|chose)\s+not\s+to|opted\s+out)\b",
    re.IGNORECASE)
_FIGURATIVE_MILESTONE = re.compile(
    r"\b(?:important|significant|major|key|critical|big|historic|tremendous|great|notable|"
    r"remarkable|meaningful|exciting|pivotal|proud)\s+milestone\b(?!\s+payment)|"
    r"\bmilestone\s+(?:for|in|of)\s+(?:the|our|its|their|this|[A-Z])", re.IGNORECASE)
_POTENTIAL_PAYMENT = re.compile(
    r"\b(?:up\s+to|eligible|potential(?:ly)?|aggregate|to\s+date|cumulative|could|may)\b",
    re.IGNORECASE)
_DESCRIBES_COMPANY = re.compile(
    r"\b(?:is\s+an?|develops|discovers|engineers|uses|designs|focuses|specializes|"
    r"is\s+(?:a|the)\s+leader|headquartered|based\s+in)\b", re.IGNORECASE)
_PRODUCT_REFERENCE = re.compile(
    r"\b(?:the|this|that|its)\s+(?:product(?:\s+candidate)?|compound|drug|candidate|antibody|"
    r"conjugate|program|trial|study|filing|submission|application|approval|IND|NDA|BLA|hold|"
    r"molecule|therapy|agreement|license|licen[cs]e\s+agreement|contract|option|dosing|"
    r"initiation|start)\b|\b(?:Initiation|Start|Completion)\s+of\b", re.IGNORECASE)
_PARTNER_REFERENCE = re.compile(
    r"\b(?:the\s+(?:two\s+)?(?:companies|parties)|both\s+(?:companies|parties)|they|their|"
    r"the\s+partner|its\s+partner|"
    r"the\s+licensee|its\s+licensee|the\s+collaborator)\b|^(?:It|They)\b", re.IGNORECASE)
_AGREEMENT_REFERENCE = re.compile(
    r"\b(?:the|its|their|our)\s+(?:[\w\-]+\s+){0,2}?(?:agreement|licen[cs]e|contract|deal)\b",
    re.IGNORECASE)
_CONTINUES = re.compile(r"\s*[(a-z0-9]")
_CAPITALS = re.compile(r"[A-Z]{3,}")
_ENDS_SENTENCE = re.compile(r"[.!?\"”)]\s*$")
_NOT = re.compile(r"\b(?:not|never|no)\b", re.IGNORECASE)
_TO_AT_END = re.compile(r"\bto\s+$")
_MODAL_AFTER = re.compile(r"\s+(?:will|would|shall|may)\b")
_SINCE_YEAR = re.compile(r"\bsince\b[^,;]{0,30}(?:19|20)\d\d")
_CLAUSE_MARK = re.compile(r"[;:]")
_COMPLEMENT_END = re.compile(r",|;|\b(?:that|which|who|whom|when|where|after|before|following|"
                             r"since)\b")
_ENDS_WITH_SUFFIX = re.compile(
    r"\b(?:Inc|Ltd|Corp|Co|AG|SA|S\.A|N\.V|K\.K|plc|LLC|A/S|AB|GmbH|Limited)\.$")
_SUFFIX_SENTENCE_END = re.compile(
    r"\b((?:Inc|Ltd|Corp|Co|AG|SA|S\.A|N\.V|K\.K|plc|LLC|A/S|AB|GmbH|Limited)\.)\s+"
    r"(?=[A-Z][a-z])")


@dataclass(frozen=True, slots=True)
class ExtractContext:
    """What extraction knows beyond the text: the filer's own names, alias tables (configured
    and learned), and the company's (partner, product) pairs with their relationship."""

    own_names: tuple[str, ...] = ()
    partner_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    product_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    known_partners: tuple[str, ...] = ()
    known_products: tuple[str, ...] = ()
    release_date: date | None = None
    # (partner, product, relationship, active) for every pair of the company's ledger
    pairs: tuple[tuple[str, str, str | None, bool], ...] = ()
    # keys of the company names EDGAR knows (see ``watcher.mentions.company_list_keys``)
    company_names: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extraction found in one release."""

    facts: tuple[Fact, ...]
    about: tuple[AboutPair, ...] | None  # None: the release has no About list of partners
    aliases: tuple[AliasLink, ...] = ()
    about_products: tuple[str, ...] = ()  # every product the About paragraph names


@dataclass(slots=True)
class _Scope:
    """What the sentences so far were about: "the companies", "the trial" resolve to it."""

    partner: str | None = None
    product: str | None = None


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    section: str
    prose: bool
    paragraph: int


# --------------------------------------------------------------------------- helpers

def canonical_org(name: str) -> str:
    """``Northwind Pharmaceuticals plc`` -> ``Northwind Pharmaceuticals``: legal suffix dropped."""
    return strip_suffix(name)


_FILER_BEFORE_TICKER = re.compile(
    r"((?:[A-Z][\w&.'’\-]*[\s,]+){1,5}?)\((?:Nasdaq|NASDAQ|NYSE|AMEX|OTC|TSX|LSE|"
    r"Nasdaq GM|NYSE American)[^)]*\)"
)


def filer_name(release: Release) -> str | None:
    """The filer names itself before its ticker: "Acme Bio, Inc. (Nasdaq: ACME)"."""
    for paragraph in release.paragraphs[:4]:
        m = _FILER_BEFORE_TICKER.search(paragraph.text)
        if m:
            words = m.group(1).split()
            while words and words[0].lower() in ("the", "and", "today", "--", "-"):
                words = words[1:]
            name = canonical_org(" ".join(words))
            if name:
                return name
    return None


def _phase_status(token: str) -> str:
    token = token.upper().replace(" ", "")
    if "/" in token:
        return "phase_1_2"
    base = token.rstrip("AB")
    return {"I": "phase_1", "1": "phase_1", "II": "phase_2", "2": "phase_2",
            "III": "phase_3", "3": "phase_3"}.get(base, "phase_1")


def _split_sentences(text: str, sentences: Sequence[str]) -> list[str]:
    """The normalizer's sentences, split again after a legal suffix that ends a sentence
    ("... Westmark Chemie AG. Northwind licensed ...")."""
    joined: list[str] = []
    for sentence in sentences or (text,):
        if joined and _ENDS_WITH_SUFFIX.search(joined[-1]) and _CONTINUES.match(sentence):
            joined[-1] = f"{joined[-1]} {sentence}"  # "Northwind Pharma K.K. (Osaka) today"
        else:
            joined.append(sentence)
    out: list[str] = []
    for sentence in joined:
        for part in _SUFFIX_SENTENCE_END.sub("\\1\n", sentence).split("\n"):
            if part.strip():
                out.extend(_bounded(part))
    return out


def _bounded(sentence: str, limit: int = MAX_SENTENCE) -> Iterator[str]:
    """A "sentence" longer than any prose sentence (a table flattened into text, a page of
    capitals) is cut at clause boundaries, so that no rule looks at more than ``limit``."""
    while len(sentence) > limit:
        cut = max(sentence.rfind("; ", 0, limit), sentence.rfind(", ", 0, limit))
        cut = cut + 2 if cut > limit // 2 else limit
        yield sentence[:cut]
        sentence = sentence[cut:]
    if sentence.strip():
        yield sentence


_ROUGH_END = re.compile(r"(?<=[a-z0-9)”\"'][.!?])\s+(?=[\"“(]?[A-Z0-9])")
_NOT_AN_END = re.compile(
    r"\b(?:Inc|Ltd|Corp|Co|No|Nos|Mr|Mrs|Ms|Dr|Prof|Jr|Sr|St|vs|approx|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|e\.g|i\.e|Ph\.D|M\.D)\.$")


def _rough_sentences(text: str) -> list[str]:
    """Sentences of a text the normalizer did not split (a bullet cut out of a table)."""
    out: list[str] = []
    start = 0
    for m in _ROUGH_END.finditer(text):
        candidate = text[start:m.start()]
        if _NOT_AN_END.search(candidate):
            continue
        out.append(candidate.strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _units(release: Release) -> Iterator[_Unit]:
    """The release's sentences worth reading, in order: forward-looking statements and
    contacts skipped, headline fragments and datelines cut off, bullets read as prose."""
    for index, paragraph in enumerate(release.paragraphs):
        text = paragraph.text
        if paragraph.section in ("forward_looking", "contacts"):
            continue
        if _FLS_TEXT.search(text[:400]) or _CONTACT_TEXT.match(text):
            continue
        if index < 4:
            m = _DATELINE.match(text)
            if m and _CAPITALS.search(text, 0, m.end()):
                text = text[m.end():]
        prose = True
        if paragraph.kind == "table_row" or " | " in text:
            bullet = _BULLET.match(text)
            if bullet:
                text = text[bullet.end():].replace(" | ", " ")
            else:
                prose = False
        else:
            bullet = _BULLET.match(text)
            if bullet:
                text = text[bullet.end():]
        if prose and not _ENDS_SENTENCE.search(text) and len(text.split()) < 30:
            continue  # a headline or a subheading: its news is told again in the body
        sentences = paragraph.sentences if text == paragraph.text and paragraph.sentences \
            else _rough_sentences(text)
        for sentence in _split_sentences(text, sentences):
            yield _Unit(sentence, paragraph.section, prose, index)


def _dates(text: str) -> Iterator[tuple[int, int, int | None, int | None]]:
    """(year, start offset, month, day) of each date in a text."""
    for m in _DATE.finditer(text):
        if m.group("yonly"):
            yield int(m.group("yonly")), m.start(), None, None
            continue
        month_word = m.group("month").lower()[:3]
        month = _MONTH_ABBR.get(month_word)
        day = int(m.group("day")) if m.group("day") else None
        yield int(m.group("year")), m.start(), month, day


def _is_old(year: int, month: int | None, day: int | None, release_date: date,
            period_start: date | None = None) -> bool:
    """A date more than about six months before the release is history, not news, unless it
    falls in the period whose results the release reports (an annual report in March tells
    the news of the whole year before)."""
    if month is None:
        return year < min(release_date.year, period_start.year if period_start else year + 1)
    if day is None:
        day = 28
    try:
        when = date(year, month, day)
    except ValueError:
        return False
    cutoff = release_date - timedelta(days=183)
    if period_start is not None:
        cutoff = min(cutoff, period_start)
    return when < cutoff


_PERIOD_END = re.compile(
    r"\b(?:(?P<quarter>first|second|third|fourth)\s+quarter\s+and\s+)?(?:the\s+)?(?:full\s+|"
    r"fiscal\s+)?(?:fiscal\s+)?(?P<span>year|quarter|six\s+months|nine\s+months)\s+(?:ended|"
    r"ending)\s+(?P<month>January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+(?P<day>\d{1,2}),?\s+(?P<year>(?:19|20)\d\d)", re.IGNORECASE)
_SPAN_MONTHS = {"year": 12, "quarter": 3, "six months": 6, "nine months": 9}


def reporting_period_start(release: Release) -> date | None:
    """The first day of the period a results release reports on ("results for the fourth
    quarter and full year ended December 31, 2007" -> 2007-01-01), or None."""
    for paragraph in release.paragraphs[:4]:
        if "ended" not in paragraph.text and "ending" not in paragraph.text:
            continue
        m = _PERIOD_END.search(paragraph.text)
        if m is None:
            continue
        span = " ".join(m.group("span").lower().split())
        months = 12 if m.group("quarter") and span == "year" else _SPAN_MONTHS.get(span, 12)
        month = _MONTHS[m.group("month").lower()]
        end_year, end_month = int(m.group("year")), month
        start_month = end_month - months + 1
        start_year = end_year
        while start_month < 1:
            start_month += 12
            start_year -= 1
        return date(start_year, start_month, 1)
    return None


def _clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause around a trigger: cut at semicolons, relative clauses and new subjects."""
    left = 0
    right = len(sentence)
    for m in _CLAUSE_BREAK.finditer(sentence):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end and m.start() < right:
            right = m.start()
            break
    for m in _RELATIVE.finditer(sentence):
        if m.start() <= start and end <= m.end():  # the trigger is inside the relative clause
            return max(left, m.start()), min(right, m.end())
        if start < m.start() < right:
            right = m.start()  # a relative clause after the trigger says something else
    return left, right


def sentence_modality(sentence: str, trigger: Trigger, start: int, end: int,
                      release_date: date | None, period_start: date | None = None) -> Modality:
    """How a sentence holds the fact its trigger states (see the module docstring)."""
    sentence = _MONTH_MAY.sub("Mai", sentence)  # "In May 2001" is no hedge
    c_start, c_end = _clause(sentence, start, end)
    before = sentence[c_start:start]
    sentence_before = sentence[:start].rsplit(";", 1)[-1]  # an "if" governs the rest
    after = sentence[end:c_end]
    phrase = sentence[start:end]
    if _CONDITIONAL_BEFORE.search(sentence_before) or _CONDITIONAL_AFTER.match(after) \
            or _COUNTERFACTUAL.match(sentence):
        return "conditional"
    if trigger.status == "rights_returned" and re.search(
            r"\b(?:will|would|shall)\b", phrase + " " + before[-60:], re.IGNORECASE):
        return "conditional"  # rights that will revert: on a date, or if something happens
    if not trigger.intrinsic and _NEGATION.search(before[-60:]):
        return "negated"
    if trigger.intrinsic and (_NOT.search(before[-25:])
                              or _GOVERNING_NEGATION.search(before)):
        return "negated"  # "did not exercise its right to opt out": no opt-out
    # An infinitive ("expects to file ... and to begin") hangs on a verb further back.
    reach = len(before) if _TO_AT_END.search(before) else 80
    if _STRONG_HEDGE.search(before[-max(reach, 90):]):
        return "hedged"
    # "X has informed the Company that it will terminate": a decision about the deal, told;
    # a stage that someone "will" reach is still to come
    reported = trigger.field == "relationship" and _REPORTED_DECISION.search(before) is not None
    weak = _WEAK_HEDGE.search(before[-reach:])
    if weak and weak.group(0).lower() == "right to" and _EXERCISED_RIGHT.search(before):
        weak = None  # "has exercised its right to terminate": the act itself
    if reported and weak and weak.group(0).lower() in ("will", "shall"):
        weak = None  # "X has informed us that it will terminate": a decision, announced
    if not trigger.intrinsic and (weak or _MODAL_AFTER.match(after)):
        return "hedged"
    if _NOUN_START.match(phrase) and (_FUTURE_AFTER.match(after) or
                                      _NOT_HAPPENED_AFTER.match(after)):
        return "hedged"  # "the start of a Phase 3 trial of X will trigger a payment"
    # When the event happened: the clause before the trigger (without the relative clauses
    # it contains) and its complement up to the next comma or relative clause.
    left = _RELATIVE.sub(",", sentence[c_start:start])
    phrase = _RELATIVE.sub(",", phrase)  # "license, which previously covered X, now extends"
    right = _COMPLEMENT_END.split(sentence[end:c_end], maxsplit=1)[0]
    when_text = left + phrase + right
    if _HISTORICAL.search(when_text) or _SINCE_YEAR.search(sentence[end:c_end][:60]):
        return "historical"
    if release_date is not None:
        for year, _offset, month, day in _dates(when_text):
            if _is_old(year, month, day, release_date, period_start):
                return "historical"
    return "stated"


# --------------------------------------------------------------------------- extraction

class _Extractor:
    def __init__(self, release: Release, context: ExtractContext) -> None:
        self.context = context
        self.release_date = context.release_date or release.dateline_date
        self.period_start = reporting_period_start(release)
        own = list(context.own_names)
        filer = filer_name(release)
        if filer:
            own.append(filer)
        self.units = list(_units(release))
        tables = NameTables(
            own_names=tuple(own),
            partner_aliases=context.partner_aliases,
            product_aliases=context.product_aliases,
            known_partners=context.known_partners,
            known_products=context.known_products,
            company_names=context.company_names,
        )
        self.names = Recognizer(tables, [u.text for u in self.units])
        self.about_paragraphs: set[int] = set()
        # the partners each paragraph names (a fact with several holders goes to the one its
        # paragraph names: "it has regained the rights in Japan. X terminated its license")
        self.paragraph_orgs: dict[int, set[str]] = {}
        # pairs known before and during this release: partner -> products, product -> partners
        self.relationship: dict[tuple[str, str], str | None] = {}
        self.active: dict[tuple[str, str], bool] = {}
        for partner, product, relationship, active in context.pairs:
            p = self.names.canonical_org(partner) or partner
            q = (self.names.canonical_product(product) or product) if product else ""
            self.relationship[(p, q)] = relationship
            self.active[(p, q)] = active

    # -- pair knowledge -------------------------------------------------------------------
    def partners_of(self, product: str) -> list[str]:
        return [p for (p, q), rel in self.relationship.items()
                if q == product and rel not in ENDED and self.active.get((p, q), True)]

    def products_of(self, partner: str) -> list[str]:
        return [q for (p, q), rel in self.relationship.items()
                if p == partner and q and rel not in ENDED]

    def note_pair(self, partner: str, product: str | None, status: str | None) -> None:
        key = (partner, product or "")
        old = self.relationship.get(key)
        if status is not None and (old is None or RELATIONSHIP_RANK.get(status, 0) >=
                                   RELATIONSHIP_RANK.get(old, 0)):
            self.relationship[key] = status
        elif key not in self.relationship:
            self.relationship[key] = None

    # -- the pass -------------------------------------------------------------------------
    def run(self) -> Extraction:
        about, about_products = self._about()
        for pair in about or ():
            self.note_pair(pair.partner, pair.product, pair.relationship)
        facts: list[Fact] = []
        scope = _Scope()
        section = ""
        for unit in self.units:
            if unit.prose:
                self.paragraph_orgs.setdefault(unit.paragraph, set()).update(
                    o.name for o in self.names.orgs(unit.text))
        for unit in self.units:
            if unit.section != section:
                scope = _Scope()
                section = unit.section
            orgs = [o for o in self.names.orgs(unit.text)
                    if not _REGULATORS.search(o.surface)]
            products = self.names.products(unit.text)
            if unit.prose:
                facts.extend(self._sentence_facts(unit, orgs, products, scope))
            if orgs:
                scope.partner = orgs[-1].name
            if products:
                scope.product = products[0].name
        return Extraction(tuple(_dedupe(facts)), about, tuple(self.names.learned),
                          about_products)

    def _about(self) -> tuple[tuple[AboutPair, ...] | None, tuple[str, ...]]:
        """The partner pairs of the About paragraph that describes the filer (not a
        partner's own About), and every product it names (listed with a partner or not)."""
        chosen = self._about_sentences(lambda u: u.section == "about")
        if not chosen:
            # no section was labelled "about": the filer's boilerplate in the last two thirds
            last = max((u.paragraph for u in self.units), default=0)
            chosen = self._about_sentences(
                lambda u: u.paragraph > last // 3 and u.section not in ("quotes", "tables"),
                describing=True)
        if not chosen:
            return None, ()
        products = tuple(dict.fromkeys(p.name for sentence in chosen
                                       for p in self.names.products(sentence)))
        pairs = about_pairs(chosen, self.names)
        return (tuple(pairs) if pairs else None), products

    def _about_sentences(self, keep: Callable[[_Unit], bool], *,
                         describing: bool = False) -> list[str]:
        paragraphs: dict[int, list[str]] = {}
        for unit in self.units:
            if unit.prose and keep(unit):
                paragraphs.setdefault(unit.paragraph, []).append(unit.text)
        chosen: list[str] = []
        for index, sentences in sorted(paragraphs.items()):
            opening = sentences[0]
            first = re.match(r"[\w&.'’\-]+(?:\s+[\w&.'’\-]+){0,3}", opening)
            own = first is not None and (self.names.is_own(first.group(0)) or
                                         self.names.is_own(first.group(0).split()[0]))
            if own and describing and not _DESCRIBES_COMPANY.search(opening[:160]):
                own = False
            if own:
                chosen.extend(sentences)
                self.about_paragraphs.add(index)  # its facts restate, whatever its section
            elif chosen:
                break
        return chosen

    def _sentence_facts(self, unit: _Unit, orgs: Sequence[Mention],
                        products: Sequence[Mention], scope: _Scope) -> Iterator[Fact]:
        sentence = unit.text
        covered: list[tuple[int, int]] = []
        fired: set[tuple[str, str, str | None, str | None]] = set()
        lowered = sentence.lower()
        for trigger in TRIGGERS:
            if trigger.cues:  # (a loop, not any(): this runs for every trigger of every sentence)
                for cue in trigger.cues:
                    if cue in lowered:
                        break
                else:
                    continue
            for match in trigger.pattern.finditer(sentence):
                start, end = match.start(), match.end()
                if trigger.field == "relationship" and any(
                        start < e and s < end for s, e in covered):
                    continue  # a stronger phrase already read these words
                status = trigger.status
                if status == "phase":
                    token = _PHASE_TOKEN.search(match.group(0))
                    if token is None:
                        continue
                    status = _phase_status(token.group(1))
                fact = self._fact(unit, trigger, status, start, end, orgs, products, scope)
                if fact is None:
                    continue
                key = (fact.field, fact.status, fact.partner, fact.product)
                if key in fired:
                    continue
                fired.add(key)
                if trigger.field == "relationship":
                    covered.append((start, end + (40 if trigger.intrinsic else 0)))
                if fact.field == "relationship" and fact.partner and fact.modality in (
                        "stated", "historical"):
                    self.note_pair(fact.partner, fact.product, fact.status)
                yield fact

    def _fact(self, unit: _Unit, trigger: Trigger, status: str, start: int, end: int,
              orgs: Sequence[Mention], products: Sequence[Mention],
              scope: _Scope) -> Fact | None:
        sentence = unit.text
        if trigger.rule == "relationship.acquired.completed":
            return self._acquisition(unit, trigger, start, end, orgs, products)
        if trigger.keyed_by == "partner":
            partner = self._partner_near(sentence, orgs, start, end, scope)
            if partner is None:
                return None
            product = self._product_for_partner(sentence, products, start, end, partner, scope,
                                                trigger)
            if trigger.needs_product and product is None:
                return None
            if trigger.rule in _SUBJECT_RULES and not any(p.name == product for p in products):
                return None  # "X has licensed two other antibodies": not the product's news
            if trigger.rule in _SUBJECT_RULES and not self._is_subject(sentence, orgs, partner,
                                                                      start):
                if trigger.status != "acquired":
                    return None
                status = "licensed"  # rights the filer acquired from the partner: a license
        else:
            product = self._product_near(sentence, products, start, end, scope, trigger)
            if product is None:
                return None
            partner = self._partner_for_product(unit, orgs, start, end, product, scope,
                                                trigger)
            if partner is None:
                return None
        if status == "approved" and _SOUGHT.search(sentence, max(0, start - 40), start):
            return None  # "filed for approval of P", "seeking approval of P": not approved yet
        if status == "rights_returned" and _PARTIAL_RIGHTS.search(sentence[start:end + 120]):
            return None  # rights back in some territories: the partner keeps the rest
        modality = sentence_modality(sentence, trigger, start, end, self.release_date,
                                     self.period_start)
        if status == "resumed":
            status = self._resumed_stage(sentence)
        detail = ""
        if trigger.field == "milestone" and modality == "stated" and _POTENTIAL_PAYMENT.search(
                sentence[max(0, start - 40):end + 40]):
            modality = "hedged"  # "up to $50 million", "eligible", "to date": no payment made
        if trigger.rule == "milestone.paid_on_event" and (
                not _PAYMENT_EVENT.search(sentence) or _NOT_A_MILESTONE_SUM.search(sentence)):
            return None  # a sum paid, but for no event, or for what is no milestone
        if trigger.field == "milestone" and _FIGURATIVE_MILESTONE.search(sentence, start) and \
                not _AMOUNT.search(sentence):
            return None  # "achieved an important milestone for the franchise": a figure
        if trigger.field == "milestone":
            amount = _AMOUNT.search(sentence, max(0, start - 10), end + 60)
            detail = _amount(amount) if amount else ""
        section = "about" if unit.paragraph in self.about_paragraphs else unit.section
        confidence = 0.9 if any(o.name == partner for o in orgs) and any(
            p.name == product for p in products) else 0.75
        if product and not any(p.name == product for p in products):
            confidence -= 0.1
        return Fact(partner=partner, product=product or None, field=trigger.field,
                    status=status, modality=modality, evidence=sentence, rule=trigger.rule,
                    section=section, confidence=round(confidence, 2), detail=detail)

    def _resumed_stage(self, sentence: str) -> str:
        m = _PHASE_TOKEN.search(sentence)
        return _phase_status(m.group(1)) if m else "resumed"

    def _acquisition(self, unit: _Unit, trigger: Trigger, start: int, end: int,
                     orgs: Sequence[Mention], products: Sequence[Mention]) -> Fact | None:
        """"X completed its acquisition of Y": the deals of Y (a partner) were acquired."""
        after = [o for o in orgs if o.start >= end and o.start - end < 5]
        if not after:
            return None
        target = after[0].name
        if not any(p == target for p, _q in self.relationship):
            return None
        modality = sentence_modality(unit.text, trigger, start, end, self.release_date,
                                     self.period_start)
        # A product whose development the same sentence ends is not the deal the new owner
        # takes over: the acquisition goes to the partner's other deal.
        ending = {p.name for p in products} if _ENDING_NEWS.search(unit.text) else set()
        product = next((p.name for p in products
                        if (target, p.name) in self.relationship and p.name not in ending), None)
        if product is None:
            candidates = [q for q in self.products_of(target) if q not in ending]
            product = candidates[0] if len(candidates) == 1 else None
            if product is None and ending and (target, "") not in self.relationship:
                return None
        return Fact(partner=target, product=product, field="relationship", status="acquired",
                    modality=modality, evidence=unit.text, rule=trigger.rule,
                    section="about" if unit.paragraph in self.about_paragraphs else unit.section,
                    confidence=0.85)

    # -- argument resolution --------------------------------------------------------------
    @staticmethod
    def _is_subject(sentence: str, orgs: Sequence[Mention], partner: str, start: int) -> bool:
        """Whether the partner is the subject of the verb at ``start``: the last organisation
        named before it, in the same clause ("... under which X has acquired")."""
        before = [o for o in orgs if o.end <= start]
        return bool(before) and before[-1].name == partner and start - before[-1].end < 60 \
            and not _CLAUSE_MARK.search(sentence, before[-1].end, start)

    @staticmethod
    def _distance(m: Mention, start: int, end: int, sentence: str, prefer: str) -> int:
        if m.end <= start:
            gap, side = start - m.end, "before"
        elif m.start >= end:
            gap, side = m.start - end, "after"
        else:
            gap, side = 0, "inside"
        between = sentence[min(m.end, end):max(m.start, start)]
        if ";" in between:
            gap += 300
        if (prefer == "after" and side == "before") or (prefer == "before" and side == "after"):
            gap += 40
        return gap

    def _partner_near(self, sentence: str, orgs: Sequence[Mention], start: int, end: int,
                      scope: _Scope) -> str | None:
        if orgs:
            best = min(orgs, key=lambda o: self._distance(o, start, end, sentence, "near"))
            if self._distance(best, start, end, sentence, "near") < 200:
                return best.name
        if scope.partner and _PARTNER_REFERENCE.search(sentence):
            return scope.partner
        return None

    def _product_for_partner(self, sentence: str, products: Sequence[Mention], start: int,
                             end: int, partner: str, scope: _Scope,
                             trigger: Trigger) -> str | None:
        if products:
            best = min(products,
                       key=lambda p: self._distance(p, start, end, sentence, "after"))
            if self._distance(best, start, end, sentence, "after") < 160:
                return best.name
        # a license (or rights) is on a product, even when the sentence does not name it
        licence = trigger.status in ("extended", "expanded") and re.search(
            r"\blicen[cs]e|\brights\b", sentence[start:end], re.IGNORECASE) is not None
        if trigger.status in ("extended", "expanded", "collaborating") and not licence and \
                not _AGREEMENT_REFERENCE.search(sentence[max(0, start - 10):end + 30]):
            return None  # a research collaboration as a whole
        if _AGREEMENT_REFERENCE.search(sentence) or _PRODUCT_REFERENCE.search(sentence) \
                or trigger.needs_product or trigger.status in _DEAL_LEVEL or licence:
            if scope.product and (partner, scope.product) in self.relationship:
                return scope.product
            candidates = self.products_of(partner)
            if len(candidates) == 1 and (partner, "") not in self.relationship:
                return candidates[0]
            if scope.product and scope.partner == partner:
                return scope.product
        return None

    def _product_near(self, sentence: str, products: Sequence[Mention], start: int, end: int,
                      scope: _Scope, trigger: Trigger) -> str | None:
        if products:
            prefer = "after"
            best = min(products,
                       key=lambda p: self._distance(p, start, end, sentence, prefer))
            if self._distance(best, start, end, sentence, prefer) < 150:
                return best.name
        if scope.product and (_PRODUCT_REFERENCE.search(sentence) or not products or any(
                p.name == scope.product for p in products)):
            return scope.product  # the product the text is about (named far from the verb)
        return None

    def _partner_for_product(self, unit: _Unit, orgs: Sequence[Mention], start: int,
                             end: int, product: str, scope: _Scope,
                             trigger: Trigger) -> str | None:
        """Who holds the product a fact is about: the holder the sentence names (or, failing
        that, a partner it names that held the product once: "X, which returned the rights");
        else the only holder; else, of several, the one the paragraph names, or for an ending
        the one already on its way out; else the partner the text was about."""
        sentence = unit.text
        holders = self.partners_of(product)
        if trigger.status == "rights_returned":
            holders = [p for (p, q), rel in self.relationship.items()
                       if q == product and rel != "rights_returned"] or holders
        named = [o for o in orgs if o.name in holders] or [
            o for o in orgs if (o.name, product) in self.relationship]
        if named:
            return min(named, key=lambda o: self._distance(o, start, end, sentence,
                                                           "near")).name
        if len(holders) == 1:
            return holders[0]
        in_paragraph = [p for p in holders if p in self.paragraph_orgs.get(unit.paragraph, ())]
        if len(in_paragraph) == 1:
            return in_paragraph[0]
        if trigger.status in ENDED:
            leaving = [p for p in holders if self.relationship.get((p, product)) in _LEAVING]
            if len(leaving) == 1:
                return leaving[0]
        if scope.partner in holders:
            return scope.partner
        return None


_CURRENCY_CODES = {"€": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "pounds": "GBP",
                   "¥": "JPY", "yen": "JPY", "swiss francs": "CHF", "kronor": "SEK",
                   "kroner": "DKK", "c$": "CAD", "a$": "AUD"}


def _amount(m: re.Match[str]) -> str:
    """The amount of a payment as a number, prefixed with its currency unless dollars:
    "$4 million" -> "4000000", "€5 million" -> "EUR5000000"."""
    number = m.group("num") or m.group("num2") or ""
    unit = m.group("unit") or m.group("unit2") or ""
    currency = " ".join((m.group("cur") or m.group("cur2") or "").lower().split())
    code = _CURRENCY_CODES.get(currency, currency.upper())
    if code in ("$", "US$", "U.S.$", "U.S. $", "USD", "DOLLARS"):
        code = ""
    try:
        value = float(number.replace(",", ""))
    except ValueError:
        return code + number
    scale = {"million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "b": 1e9, "bn": 1e9,
             "thousand": 1e3}.get(unit.lower(), 1.0)
    return code + str(round(value * scale))


def _dedupe(facts: Sequence[Fact]) -> list[Fact]:
    seen: set[tuple[str | None, str | None, str, str, str, str]] = set()
    out = []
    for fact in facts:
        key = (fact.partner, fact.product, fact.field, fact.status, fact.modality, fact.evidence)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


def extract_release(release: Release, context: ExtractContext | None = None) -> Extraction:
    """Facts, About-list pairs and learned aliases of one release."""
    return _Extractor(release, context or ExtractContext()).run()


def extract_facts(release: Release, context: ExtractContext | None = None) -> list[Fact]:
    """Every partner-status fact of a release; the forward-looking section is skipped."""
    return list(extract_release(release, context).facts)

