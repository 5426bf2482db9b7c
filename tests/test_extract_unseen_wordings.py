"""Minimal pairs for the causes a third, independently written corpus exposed: wordings the
rules did not know, payments without the word "milestone", facts in releases naming several
partners, negated opt-outs, first deals after an old ending, and the stages of a product's new
partner. For each cause, the change said in new words (and new fictional names), and its twin
that must stay silent. Each case runs whole releases through normalize, extract and the
ledger, in date order, as the daemon does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pytest
from watcher.extract import extract_release
from watcher.ledger import PairKey, apply_extraction
from watcher.models import AliasLink, Company, LedgerEntry
from watcher.normalize import normalize_exhibit
from watcher.pipeline import extract_context

FILER = Company(9900998, "Corrigan Biotherapeutics, Inc.", ("CRGB",))
OPENING = "Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today announced that"
Changed = tuple[str, str | None, str | None, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Issue:
    """One release of the fictional filer: its body paragraphs and its About paragraph."""

    when: date
    body: Sequence[str]
    about: str = ""


def _exhibit(issue: Issue) -> bytes:
    lines = ["EXHIBIT 99.1", "", "CORRIGAN BIOTHERAPEUTICS REPORTS NEWS", "",
             f"LEXINGTON, Mass.--(BUSINESS WIRE)--{issue.when:%B} {issue.when.day}, "
             f"{issue.when.year}--{issue.body[0]}", ""]
    for paragraph in issue.body[1:]:
        lines += [paragraph, ""]
    if issue.about:
        lines += ["About Corrigan Biotherapeutics", "", issue.about, ""]
    lines += ["This press release contains forward-looking statements. A partner may opt out, "
              "terminate its license or fail to pay milestones, and trials may be suspended.",
              ""]
    return "\n".join(lines).encode()


def _history(*issues: Issue) -> list[list[Changed]]:
    """The changes each release raises, after the ones before it."""
    ledger: dict[PairKey, LedgerEntry] = {}
    learned: list[AliasLink] = []
    out: list[list[Changed]] = []
    for number, issue in enumerate(issues, start=1):
        release = normalize_exhibit(_exhibit(issue))
        context = extract_context(None, FILER, release, ledger, learned, issue.when)
        update = apply_extraction(ledger, extract_release(release, context),
                                  accession=f"c-{number}", filed=issue.when)
        for entry in update.entries:
            ledger[(entry.partner, entry.product)] = entry
        learned.extend(update.aliases)
        out.append([(c.kind, c.partner, c.product, c.field, c.from_status, c.to_status)
                    for c in update.changes])
    return out


def _last(*issues: Issue) -> list[Changed]:
    return _history(*issues)[-1]


def _stage(partner: str, product: str, old: str | None, new: str) -> Changed:
    return ("status_changed", partner, product, "stage", old, new)


def _relationship(partner: str, product: str | None, old: str | None, new: str) -> Changed:
    return ("status_changed", partner, product, "relationship", old, new)


ABOUT = ("Corrigan Biotherapeutics, Inc. develops antibodies for inflammatory diseases. "
         "CRB-114 is licensed to Ellesmere Pharma AG.")
LICENSED = Issue(date(2008, 4, 7), [
    f"{OPENING} it has granted Ellesmere Pharma AG an exclusive worldwide license to develop "
    "and commercialize CRB-114, an antibody for ulcerative colitis.",
    "CRB-114 is currently in preclinical development."], ABOUT)


def _news(when: date, *sentences: str, about: str = ABOUT) -> Issue:
    return Issue(when, [f"{OPENING} {sentences[0]}", *sentences[1:]], about)


PHASE_1 = _news(date(2009, 6, 1), "Ellesmere Pharma AG has begun a Phase 1 trial of CRB-114.")
PHASE_2 = _news(date(2010, 9, 6), "Ellesmere Pharma AG has begun a Phase 2 trial of CRB-114 in "
                "ulcerative colitis.")


# --------------------------------------------------------------------------- trial names
# A trial's acronym is no product: not in "X, a randomized, open-label Phase 2 trial" (a
# description with commas), and not in a later release that names it without saying so.

def test_enrollment_begun_in_a_trial_described_with_commas_starts_the_phase() -> None:
    news = _news(date(2010, 9, 6), "Ellesmere Pharma AG has begun enrolling patients in "
                 "HERON-2, a randomized, open-label, multicenter Phase 2 trial of CRB-114.")
    assert _last(LICENSED, PHASE_1, news) == [
        _stage("Ellesmere Pharma", "CRB-114", "phase_1", "phase_2")]


def test_enrollment_planned_in_the_same_trial_changes_nothing() -> None:
    news = _news(date(2010, 9, 6), "Ellesmere Pharma AG plans to begin enrolling patients in "
                 "HERON-2, a randomized, open-label, multicenter Phase 2 trial of CRB-114.")
    assert _last(LICENSED, PHASE_1, news) == []


def test_a_trial_acronym_named_alone_does_not_hide_the_product_of_a_delay() -> None:
    news = _news(date(2011, 5, 2), "the second part of HERON-2 has been postponed to 2012 "
                 "because Ellesmere Pharma AG is changing the formulation of CRB-114.")
    assert _last(LICENSED, PHASE_1, PHASE_2, news) == [
        _stage("Ellesmere Pharma", "CRB-114", "phase_2", "delayed")]


def test_a_delay_that_may_come_changes_nothing() -> None:
    news = _news(date(2011, 5, 2), "the second part of HERON-2 may be postponed to 2012 "
                 "if Ellesmere Pharma AG changes the formulation of CRB-114.")
    assert _last(LICENSED, PHASE_1, PHASE_2, news) == []


# --------------------------------------------------------------------------- stage wordings

def test_the_first_healthy_volunteers_dosed_start_phase_1() -> None:
    news = _news(date(2009, 6, 1), "Ellesmere Pharma AG has dosed the first healthy volunteers "
                 "in a Phase 1 study of CRB-114 in Belgium.")
    assert _last(LICENSED, news) == [_stage("Ellesmere Pharma", "CRB-114", "preclinical",
                                            "phase_1")]


def test_volunteers_to_be_dosed_start_nothing() -> None:
    news = _news(date(2009, 6, 1), "Ellesmere Pharma AG expects to dose the first healthy "
                 "volunteers in a Phase 1 study of CRB-114 in Belgium this summer.")
    assert _last(LICENSED, news) == []


def test_suspended_enrollment_puts_the_product_on_hold() -> None:
    news = _news(date(2011, 2, 7), "Ellesmere Pharma AG has suspended enrollment in its Phase 2 "
                 "trial of CRB-114 while it reviews two cases of liver injury.")
    assert _last(LICENSED, PHASE_1, PHASE_2, news) == [
        _stage("Ellesmere Pharma", "CRB-114", "phase_2", "on_hold")]


@pytest.mark.parametrize("sentence", [
    "Ellesmere Pharma AG has not suspended enrollment in its Phase 2 trial of CRB-114.",
    "Ellesmere Pharma AG could suspend enrollment in its Phase 2 trial of CRB-114 if more "
    "cases of liver injury occur.",
])
def test_a_suspension_denied_or_possible_changes_nothing(sentence: str) -> None:
    assert _last(LICENSED, PHASE_1, PHASE_2, _news(date(2011, 2, 7), sentence)) == []


RESEARCH = Issue(date(2012, 1, 9), [
    f"{OPENING} it has formed a research collaboration with Marwood Laboratories plc to "
    "discover antibodies against fibrosis targets.",
    "The first program, CRB-31d, is at an early research stage."],
    "Corrigan Biotherapeutics, Inc. develops antibodies. Corrigan collaborates with Marwood "
    "Laboratories plc on fibrosis, including the CRB-31d program.")


def test_a_candidate_moved_into_ind_enabling_studies_is_preclinical() -> None:
    news = _news(date(2013, 3, 4), "Marwood Laboratories plc has moved CRB-31d, a bispecific "
                 "antibody for lung fibrosis, into IND-enabling studies.", about=RESEARCH.about)
    assert _last(RESEARCH, news) == [_stage("Marwood Laboratories", "CRB-31d", "research",
                                            "preclinical")]


def test_a_candidate_to_be_moved_into_ind_enabling_studies_is_not() -> None:
    news = _news(date(2013, 3, 4), "Marwood Laboratories plc will move CRB-31d, a bispecific "
                 "antibody for lung fibrosis, into IND-enabling studies next year.",
                 about=RESEARCH.about)
    assert _last(RESEARCH, news) == []


def test_a_candidate_sent_back_to_research_moves_back_and_only_then() -> None:
    forward = _news(date(2013, 3, 4), "Marwood Laboratories plc has moved CRB-31d into "
                    "IND-enabling studies.", about=RESEARCH.about)
    back = _news(date(2014, 3, 3), "Marwood Laboratories plc and Corrigan have sent CRB-31d back "
                 "to research after a toxicology finding in rats.", about=RESEARCH.about)
    maybe = _news(date(2014, 3, 3), "Marwood Laboratories plc may return CRB-31d to the "
                  "research stage after a toxicology finding in rats.", about=RESEARCH.about)
    assert _last(RESEARCH, forward, back) == [
        _stage("Marwood Laboratories", "CRB-31d", "preclinical", "research")]
    assert _last(RESEARCH, forward, maybe) == []


def test_a_restated_earlier_phase_is_still_no_step_back() -> None:
    restated = _news(date(2011, 2, 7), "Ellesmere Pharma AG completed the Phase 1 trial of "
                     "CRB-114 last year.")
    assert _last(LICENSED, PHASE_1, PHASE_2, restated) == []


def _results(when: date, period: str, sentence: str) -> Issue:
    return Issue(when, [f"Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today reported financial "
                        f"results for the {period}.", sentence], ABOUT)


APPROVED = _news(date(2012, 10, 1), "the European Commission has granted marketing "
                 "authorization for CRB-114, which Ellesmere Pharma AG will sell in Europe.")


def test_a_marketing_authorization_granted_is_an_approval() -> None:
    filed = _news(date(2011, 9, 5), "Ellesmere Pharma AG has submitted a marketing "
                  "authorization application for CRB-114 to the European Medicines Agency.")
    assert _history(LICENSED, PHASE_1, PHASE_2, filed, APPROVED)[-2:] == [
        [_stage("Ellesmere Pharma", "CRB-114", "phase_2", "filed")],
        [_stage("Ellesmere Pharma", "CRB-114", "filed", "approved")]]


def test_a_launch_dated_in_the_year_an_annual_report_covers_is_news() -> None:
    report = _results(date(2014, 3, 10), "fourth quarter and full year ended December 31, 2013",
                      "Ellesmere Pharma AG launched CRB-114 in France in April 2013 and in "
                      "Italy in June 2013.")
    assert _last(LICENSED, PHASE_1, PHASE_2, APPROVED, report) == [
        _stage("Ellesmere Pharma", "CRB-114", "approved", "marketed")]


def test_a_launch_dated_before_the_year_an_annual_report_covers_is_history() -> None:
    report = _results(date(2014, 3, 10), "fourth quarter and full year ended December 31, 2013",
                      "Ellesmere Pharma AG launched CRB-114 in France in April 2012.")
    assert _last(LICENSED, PHASE_1, PHASE_2, APPROVED, report) == []


def test_a_launch_dated_long_ago_in_a_quarterly_report_is_history() -> None:
    report = _results(date(2014, 3, 10), "three months ended December 31, 2013",
                      "Ellesmere Pharma AG launched CRB-114 in France in April 2013.")
    assert _last(LICENSED, PHASE_1, PHASE_2, APPROVED, report) == []


# --------------------------------------------------------------------------- relationships

OPTION = Issue(date(2012, 1, 9), [
    f"{OPENING} it has granted Marwood Laboratories plc an option to obtain an exclusive "
    "license to CRB-31d, a preclinical antibody for lung fibrosis."],
    "Corrigan Biotherapeutics, Inc. develops antibodies. Marwood Laboratories plc holds an "
    "option to license CRB-31d.")


def test_a_right_to_a_license_exercised_is_an_option_exercised() -> None:
    news = _news(date(2013, 6, 3), "Marwood Laboratories plc has exercised its right to obtain "
                 "an exclusive license to CRB-31d.", about=OPTION.about)
    assert _last(OPTION, news) == [_relationship("Marwood Laboratories", "CRB-31d",
                                                 "option_granted", "option_exercised")]


def test_a_right_to_terminate_exercised_is_a_termination_not_an_option() -> None:
    news = _news(date(2013, 6, 3), "Marwood Laboratories plc has exercised its right to "
                 "terminate the option agreement for CRB-31d.", about=OPTION.about)
    assert _last(OPTION, news) == [_relationship("Marwood Laboratories", "CRB-31d",
                                                 "option_granted", "terminated")]


def test_a_right_to_a_license_not_exercised_exercises_nothing() -> None:
    news = _news(date(2013, 6, 3), "Marwood Laboratories plc has not yet exercised its right "
                 "to obtain an exclusive license to CRB-31d.", about=OPTION.about)
    assert _last(OPTION, news) == []


MOU = Issue(date(2012, 1, 9), [
    f"{OPENING} it has signed a memorandum of understanding with Wexcombe Pharma S.A. on the "
    "commercialization of CRB-207 in Canada."],
    "Corrigan Biotherapeutics, Inc. develops antibodies, including CRB-207.")


def test_a_definitive_co_marketing_agreement_ends_the_discussions() -> None:
    news = _news(date(2012, 11, 5), "it and Wexcombe Pharma S.A. have entered into a definitive "
                 "co-marketing agreement for CRB-207 in Canada.", about=MOU.about)
    assert _last(MOU, news) == [_relationship("Wexcombe Pharma", "CRB-207", "in_discussion",
                                              "collaborating")]


def test_a_co_marketing_agreement_still_expected_changes_nothing() -> None:
    news = _news(date(2012, 11, 5), "it and Wexcombe Pharma S.A. expect to enter into a "
                 "definitive co-marketing agreement for CRB-207 in Canada.", about=MOU.about)
    assert _last(MOU, news) == []


def test_a_partner_that_purchased_the_rights_it_co_marketed_acquired_them() -> None:
    co_marketing = _news(date(2012, 11, 5), "it and Wexcombe Pharma S.A. have entered into a "
                         "definitive co-marketing agreement for CRB-207 in Canada.",
                         about=MOU.about)
    bought = _news(date(2015, 2, 2), "Wexcombe Pharma S.A. has purchased all Canadian rights "
                   "to CRB-207 for $40 million in cash.", about=MOU.about)
    assert _last(MOU, co_marketing, bought) == [
        _relationship("Wexcombe Pharma", "CRB-207", "collaborating", "acquired")]


def test_rights_a_partner_would_purchase_are_not_acquired() -> None:
    co_marketing = _news(date(2012, 11, 5), "it and Wexcombe Pharma S.A. have entered into a "
                         "definitive co-marketing agreement for CRB-207 in Canada.",
                         about=MOU.about)
    maybe = _news(date(2015, 2, 2), "Wexcombe Pharma S.A. would purchase all Canadian rights "
                  "to CRB-207 if the product is approved.", about=MOU.about)
    assert _last(MOU, co_marketing, maybe) == []


@pytest.mark.parametrize("sentence", [
    "Ellesmere Pharma AG has deprioritized CRB-114 after a portfolio review.",
    "Ellesmere Pharma AG will not fund the Phase 3 program of CRB-114.",
])
def test_a_partner_that_deprioritizes_or_stops_funding_is_not_advancing(sentence: str) -> None:
    assert _last(LICENSED, PHASE_1, _news(date(2010, 2, 1), sentence)) == [
        _relationship("Ellesmere Pharma", "CRB-114", "licensed", "not_advancing")]


@pytest.mark.parametrize("sentence", [
    "Ellesmere Pharma AG has not deprioritized CRB-114 despite the portfolio review.",
    "Ellesmere Pharma AG may deprioritize CRB-114 after a portfolio review.",
])
def test_a_deprioritization_denied_or_possible_is_silent(sentence: str) -> None:
    assert _last(LICENSED, PHASE_1, _news(date(2010, 2, 1), sentence)) == []


def test_a_license_expanded_to_a_new_territory_is_expanded() -> None:
    news = _news(date(2010, 2, 1), "Ellesmere Pharma AG has expanded its license to CRB-114 to "
                 "include Latin America.")
    assert _last(LICENSED, news) == [_relationship("Ellesmere Pharma", "CRB-114", "licensed",
                                                   "expanded")]


def test_a_license_that_may_be_expanded_is_not() -> None:
    news = _news(date(2010, 2, 1), "Ellesmere Pharma AG may expand its license to CRB-114 to "
                 "include Latin America.")
    assert _last(LICENSED, news) == []


CO_DEVELOPED = Issue(date(2012, 1, 9), [
    f"{OPENING} it and Dunvegan Therapeutics, Inc. have entered into a co-development "
    "agreement for CRB-207 in psoriasis."],
    "Corrigan Biotherapeutics, Inc. develops antibodies. CRB-207 is being co-developed with "
    "Dunvegan Therapeutics, Inc.")


def test_an_opt_out_right_not_exercised_is_no_opt_out() -> None:
    news = _news(date(2014, 5, 5), "Dunvegan Therapeutics, Inc. did not exercise its right to "
                 "opt out of the program after the Phase 2 results.", about=CO_DEVELOPED.about)
    assert _last(CO_DEVELOPED, news) == []


def test_an_opt_out_right_exercised_is_an_opt_out() -> None:
    news = _news(date(2014, 5, 5), "Dunvegan Therapeutics, Inc. has exercised its right to opt "
                 "out of the program after the Phase 2 results.", about=CO_DEVELOPED.about)
    assert _last(CO_DEVELOPED, news) == [
        _relationship("Dunvegan Therapeutics", "CRB-207", "collaborating", "not_advancing")]


# --------------------------------------------------------------------------- payments
# A sum earned on an event is a milestone, in any currency and without the word; a sum paid on
# signing or at closing, a purchase price, a sum that may come and a figurative milestone are
# not.

def _paid(*sentences: str) -> list[Changed]:
    news = _news(date(2010, 9, 6), "Ellesmere Pharma AG has begun a Phase 2 trial of CRB-114 in "
                 "ulcerative colitis.", *sentences)
    return [c for c in _last(LICENSED, PHASE_1, news) if c[0] == "milestone_reached"]


MILESTONE = ("milestone_reached", "Ellesmere Pharma", "CRB-114", None, None, None)


@pytest.mark.parametrize("sentence", [
    "The start of the trial triggered a payment of 180 million yen from Ellesmere to Corrigan.",
    "Upon dosing of the first patient, Corrigan received €2 million from Ellesmere Pharma AG.",
    "Ellesmere Pharma AG paid Corrigan CHF 3 million following initiation of the trial.",
    "Corrigan has earned a $4.5 million milestone payment from Ellesmere Pharma AG.",
])
def test_a_sum_earned_on_an_event_is_a_milestone_reached(sentence: str) -> None:
    assert _paid(sentence) == [MILESTONE]


@pytest.mark.parametrize("sentence", [
    "The start of a Phase 3 trial would trigger a payment of 500 million yen from Ellesmere.",
    "Corrigan received €2 million from Ellesmere Pharma AG upon signing of the agreement.",
    "Ellesmere Pharma AG paid Corrigan $30 million in cash at closing.",
    "Corrigan received $1.2 million in royalties from Ellesmere Pharma AG on European sales.",
    "Corrigan is eligible to receive up to €40 million from Ellesmere upon approval.",
    "Corrigan could receive a $10 million payment from Ellesmere Pharma AG upon approval.",
    "The start of the trial is an important milestone for Corrigan.",
])
def test_a_sum_for_no_event_a_possible_sum_or_a_figure_of_speech_is_none(sentence: str) -> None:
    assert _paid(sentence) == []


# --------------------------------------------------------------------------- attribution
# With several partners on one product, a fact goes to the partner its sentence names, else to
# the one its paragraph names, else (rights coming back) to the one on its way out.

TWO_TERRITORIES = Issue(date(2009, 6, 1), [
    f"{OPENING} it has granted Takaoka Seiyaku K.K. an exclusive license to develop and "
    "commercialize CRB-114 in Japan and Korea.",
    "Ellesmere Pharma AG holds the rights to CRB-114 outside Asia."],
    "Corrigan Biotherapeutics, Inc. develops antibodies. CRB-114 is licensed to Ellesmere "
    "Pharma AG outside Asia and to Takaoka Seiyaku K.K. in Japan and Korea.")
ABOUT_WITHOUT_TAKAOKA = ("Corrigan Biotherapeutics, Inc. develops antibodies. CRB-114 is "
                         "licensed to Ellesmere Pharma AG outside Asia; Corrigan holds the "
                         "rights in Japan and Korea.")


def test_rights_regained_in_a_territory_go_to_the_partner_the_paragraph_names() -> None:
    news = _news(date(2012, 4, 2), "it has regained the rights to CRB-114 in Japan and Korea. "
                 "Takaoka Seiyaku K.K. ended its license on March 30 after a change of strategy.",
                 about=ABOUT_WITHOUT_TAKAOKA)
    assert _last(LICENSED, TWO_TERRITORIES, news) == [
        _relationship("Takaoka Seiyaku", "CRB-114", "licensed", "rights_returned")]


def test_rights_regained_without_a_name_go_to_the_partner_on_its_way_out() -> None:
    leaving = _news(date(2011, 6, 6), "Takaoka Seiyaku K.K. has decided not to advance CRB-114 "
                    "in Japan.")
    news = Issue(date(2012, 4, 2), [
        "Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today reported on its programs.",
        "Corrigan has regained the rights to CRB-114 in Japan and Korea."],
        ABOUT_WITHOUT_TAKAOKA)
    assert _last(LICENSED, TWO_TERRITORIES, leaving, news) == [
        _relationship("Takaoka Seiyaku", "CRB-114", "not_advancing", "rights_returned")]


def test_a_filing_and_its_payment_go_to_the_partner_that_made_the_filing() -> None:
    news = _news(date(2012, 4, 2), "Takaoka Seiyaku K.K. has submitted a new drug application "
                 "for CRB-114 to the Japanese authorities.",
                 "The submission entitles Corrigan to a milestone payment of 400 million yen "
                 "from Takaoka.", about=TWO_TERRITORIES.about)
    assert _last(LICENSED, PHASE_1, PHASE_2, TWO_TERRITORIES, news) == [
        _stage("Takaoka Seiyaku", "CRB-114", "phase_2", "filed"),
        ("milestone_reached", "Takaoka Seiyaku", "CRB-114", None, None, None)]


def test_an_approval_goes_to_the_partner_the_next_sentence_names() -> None:
    news = _news(date(2013, 4, 1), "Japan's Ministry of Health, Labour and Welfare has approved "
                 "CRB-114 for ulcerative colitis. Takaoka Seiyaku K.K. will launch it in May.",
                 about=TWO_TERRITORIES.about)
    filed = _news(date(2012, 4, 2), "Takaoka Seiyaku K.K. has submitted a new drug application "
                  "for CRB-114 in Japan.", about=TWO_TERRITORIES.about)
    assert _last(LICENSED, PHASE_1, PHASE_2, TWO_TERRITORIES, filed, news) == [
        _stage("Takaoka Seiyaku", "CRB-114", "filed", "approved")]


def test_an_approval_naming_no_partner_of_several_goes_to_none() -> None:
    news = Issue(date(2013, 4, 1), [
        "Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today reported on its programs.",
        "CRB-114 was approved for ulcerative colitis."], TWO_TERRITORIES.about)
    assert _last(LICENSED, PHASE_1, PHASE_2, TWO_TERRITORIES, news) == []


def test_a_new_licensee_takes_the_clinical_stage_and_files_from_there() -> None:
    filed = _news(date(2012, 4, 2), "Takaoka Seiyaku K.K. has submitted a new drug application "
                  "for CRB-114 in Japan.", about=TWO_TERRITORIES.about)
    assert _last(LICENSED, PHASE_1, PHASE_2, TWO_TERRITORIES, filed) == [
        _stage("Takaoka Seiyaku", "CRB-114", "phase_2", "filed")]


def test_a_new_licensee_of_an_approved_product_files_from_phase_3_not_from_the_approval() -> None:
    phase_3 = _news(date(2010, 9, 6), "Ellesmere Pharma AG has begun a Phase 3 trial of CRB-114.")
    filed = _news(date(2013, 9, 2), "Takaoka Seiyaku K.K. has submitted a new drug application "
                  "for CRB-114 in Japan.", about=TWO_TERRITORIES.about)
    history = _history(LICENSED, PHASE_1, phase_3, APPROVED, TWO_TERRITORIES, filed)
    assert history[-1] == [_stage("Takaoka Seiyaku", "CRB-114", "phase_3", "filed")]


RETURNED_LONG_AGO = ("CRB-207 was previously licensed to Marwood Laboratories plc, which "
                     "returned the rights in 2008.")


def test_a_first_deal_after_another_partners_old_ending_is_an_addition() -> None:
    deal = Issue(date(2012, 1, 9), [
        f"{OPENING} it and Dunvegan Therapeutics, Inc. have entered into a co-development "
        "agreement for CRB-207 in psoriasis.", RETURNED_LONG_AGO],
        f"{ABOUT} CRB-207 is being co-developed with Dunvegan Therapeutics, Inc.")
    assert _last(LICENSED, deal) == [
        ("partner_added", "Dunvegan Therapeutics", "CRB-207", None, None, None),
        ("product_added", "Dunvegan Therapeutics", "CRB-207", None, None, None)]


def test_the_old_ending_alone_adds_and_changes_nothing() -> None:
    recap = Issue(date(2012, 1, 9), [
        "Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today reported on its programs.",
        RETURNED_LONG_AGO], ABOUT)
    assert _last(LICENSED, recap) == []


def _acquired(sentence: str, about: str) -> list[Changed]:
    return _last(RESEARCH, _news(date(2014, 9, 1), sentence, about=about))


def test_a_partner_acquired_while_its_product_stops_changes_the_deal_that_goes_on() -> None:
    changes = _acquired("Marwood Laboratories plc has discontinued development of CRB-31d in a "
                        "portfolio review that followed the acquisition of Marwood by Tarbert "
                        "Holdings plc in June.", "Corrigan Biotherapeutics, Inc. develops "
                        "antibodies and collaborates with Marwood Laboratories plc on fibrosis "
                        "targets.")
    assert changes == [
        _relationship("Marwood Laboratories", None, "collaborating", "acquired"),
        _stage("Marwood Laboratories", "CRB-31d", "research", "discontinued")]


def test_a_partner_that_may_be_acquired_changes_nothing() -> None:
    changes = _acquired("Marwood Laboratories plc said that the proposed acquisition of Marwood "
                        "by Tarbert Holdings plc would not affect its work on CRB-31d.",
                        RESEARCH.about)
    assert changes == []


# --------------------------------------------------------------------------- names

def test_a_segment_that_refers_back_gives_its_partners_the_product_before() -> None:
    about = ("Corrigan Biotherapeutics, Inc. develops antibodies. CRB-207 is in Phase 2; it is "
             "licensed in Europe to Ellesmere Pharma AG and will be co-marketed in Canada with "
             "Wexcombe Pharma S.A.")
    release = normalize_exhibit(_exhibit(Issue(date(2012, 1, 9), [
        "Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today reported on its programs."],
        about)))
    extraction = extract_release(release, extract_context(None, FILER, release, {}, (),
                                                          date(2012, 1, 9)))
    assert {(p.partner, p.product) for p in extraction.about or ()} == {
        ("Ellesmere Pharma", "CRB-207"), ("Wexcombe Pharma", "CRB-207")}


def test_a_research_collaboration_after_a_product_segment_stays_a_platform_deal() -> None:
    about = ("Corrigan Biotherapeutics, Inc. develops antibodies. CRB-207 is in Phase 2; it has "
             "a research collaboration with Marwood Laboratories plc on fibrosis targets.")
    release = normalize_exhibit(_exhibit(Issue(date(2012, 1, 9), [
        "Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today reported on its programs."],
        about)))
    extraction = extract_release(release, extract_context(None, FILER, release, {}, (),
                                                          date(2012, 1, 9)))
    assert {(p.partner, p.product) for p in extraction.about or ()} == {
        ("Marwood Laboratories", "")}


CORVAGLIMET = Issue(date(2012, 1, 9), [
    f"{OPENING} it has granted Ellesmere Pharma AG an exclusive license to CRB-207, an oral "
    "treatment for type 2 diabetes."],
    "Corrigan Biotherapeutics, Inc. develops medicines. CRB-207 is licensed to Ellesmere "
    "Pharma AG.")


def test_a_generic_name_opening_a_sentence_is_the_product_and_no_partner() -> None:
    named = Issue(date(2013, 3, 4), [
        f"{OPENING} Ellesmere Pharma AG has begun a Phase 3 trial of corvaglimet in type 2 "
        "diabetes."],
        "Corrigan Biotherapeutics, Inc. develops medicines. Corvaglimet (CRB-207), for type 2 "
        "diabetes, is licensed to Ellesmere Pharma AG.")
    later = Issue(date(2014, 3, 3), ["Corrigan Biotherapeutics, Inc. (Nasdaq: CRGB) today "
                                     "reported on its programs."], CORVAGLIMET.about)
    assert _history(CORVAGLIMET, named, later)[1:] == [[], []]


def test_a_company_named_before_a_code_in_parentheses_is_still_a_partner() -> None:
    named = Issue(date(2013, 3, 4), [
        f"{OPENING} it has signed a letter of intent with Penrose (CRB-207, Latin America) for "
        "the distribution of CRB-207."], "Corrigan Biotherapeutics, Inc. develops medicines. "
        "Its partners are Ellesmere Pharma AG (CRB-207, worldwide) and Penrose (CRB-207, Latin "
        "America).")
    assert _last(CORVAGLIMET, named) == [
        ("partner_added", "Penrose", "CRB-207", None, None, None),
        ("product_added", "Penrose", "CRB-207", None, None, None)]


def test_a_partner_named_after_a_leading_industry_word_is_known_by_its_own_name() -> None:
    licensed = _news(date(2008, 4, 7), "it has granted Laboratorios Ardmillan S.A. an exclusive "
                     "license to CRB-114 in Spain and Portugal.", "CRB-114 is a preclinical "
                     "antibody for ulcerative colitis.",
                     about="Corrigan Biotherapeutics, Inc. develops antibodies. CRB-114 is "
                     "licensed to Laboratorios Ardmillan S.A.")
    paid = _news(date(2009, 6, 1), "Laboratorios Ardmillan S.A. has begun a Phase 1 trial of "
                 "CRB-114.", "The start of the trial triggered a payment of €1 million from "
                 "Ardmillan to Corrigan.", about=licensed.about)
    assert _last(licensed, paid) == [
        _stage("Laboratorios Ardmillan", "CRB-114", "preclinical", "phase_1"),
        ("milestone_reached", "Laboratorios Ardmillan", "CRB-114", None, None, None)]


# --------------------------------------------------------------------------- more wordings
# Other ways of telling the same steps, each with a twin that tells something else.

def _after_phase_2(sentence: str) -> list[Changed]:
    return _last(LICENSED, PHASE_1, PHASE_2, _news(date(2013, 9, 2), sentence))


@pytest.mark.parametrize(("sentence", "stage"), [
    ("Ellesmere Pharma AG won European approval for CRB-114.", "approved"),
    ("Ellesmere Pharma AG filed for approval of CRB-114 in Europe.", "filed"),
    ("Ellesmere Pharma AG submitted a regulatory application for CRB-114 in Canada.", "filed"),
    ("Ellesmere Pharma AG has put development of CRB-114 on hold.", "on_hold"),
    ("Ellesmere Pharma AG has placed the CRB-114 program on hold pending a review.", "on_hold"),
    ("Ellesmere Pharma AG has temporarily halted dosing in the Phase 2 trial of CRB-114.",
     "on_hold"),
])
def test_other_wordings_of_a_stage_reached(sentence: str, stage: str) -> None:
    assert _after_phase_2(sentence) == [_stage("Ellesmere Pharma", "CRB-114", "phase_2", stage)]


@pytest.mark.parametrize("sentence", [
    "Ellesmere Pharma AG plans to file for approval of CRB-114 in Europe in 2014.",
    "Ellesmere Pharma AG is seeking approval of CRB-114 in Europe.",
    "the EMA granted approval of the pediatric investigation plan for CRB-114.",
    "the FDA has put a competing drug on hold, which Ellesmere Pharma AG said does not affect "
    "CRB-114.",
    "Ellesmere Pharma AG has put on hold its plans to expand manufacturing of CRB-114.",
])
def test_wordings_near_a_stage_that_reach_none(sentence: str) -> None:
    assert _after_phase_2(sentence) == []


@pytest.mark.parametrize(("sentence", "status"), [
    ("Marwood Laboratories plc let its option on CRB-31d lapse.", "rights_returned"),
    ("Marwood Laboratories plc allowed its option on CRB-31d to expire.", "rights_returned"),
    ("Marwood Laboratories plc has decided to take up its option to license CRB-31d.",
     "option_exercised"),
])
def test_other_wordings_of_an_option_decided(sentence: str, status: str) -> None:
    news = _news(date(2013, 6, 3), sentence, about=OPTION.about)
    assert _last(OPTION, news) == [_relationship("Marwood Laboratories", "CRB-31d",
                                                 "option_granted", status)]


@pytest.mark.parametrize("sentence", [
    "Marwood Laboratories plc may let its option on CRB-31d lapse.",
    "If Marwood Laboratories plc takes up its option on CRB-31d, it will pay $5 million.",
])
def test_an_option_decision_still_open_changes_nothing(sentence: str) -> None:
    assert _last(OPTION, _news(date(2013, 6, 3), sentence, about=OPTION.about)) == []


@pytest.mark.parametrize("sentence", [
    "it has signed a definitive agreement to license CRB-207 to Wexcombe Pharma S.A. in Canada.",
    "Wexcombe Pharma S.A. has licensed CRB-207 for Canada.",
])
def test_other_wordings_of_a_license_signed(sentence: str) -> None:
    assert _last(MOU, _news(date(2012, 11, 5), sentence, about=MOU.about)) == [
        _relationship("Wexcombe Pharma", "CRB-207", "in_discussion", "licensed")]


@pytest.mark.parametrize("sentence", [
    "it expects to enter into an agreement to license CRB-207 to Wexcombe Pharma S.A.",
    "Wexcombe Pharma S.A. has licensed a competing antibody from another company.",
])
def test_a_license_to_come_or_of_something_else_changes_nothing(sentence: str) -> None:
    assert _last(MOU, _news(date(2012, 11, 5), sentence, about=MOU.about)) == []


@pytest.mark.parametrize("sentence", [
    "Dunvegan Therapeutics, Inc. has withdrawn from the co-development of CRB-207.",
    "Dunvegan Therapeutics, Inc. ceased funding of CRB-207 in June.",
])
def test_a_partner_that_withdraws_or_stops_paying_is_not_advancing(sentence: str) -> None:
    news = _news(date(2014, 7, 7), sentence, about=CO_DEVELOPED.about)
    assert _last(CO_DEVELOPED, news) == [
        _relationship("Dunvegan Therapeutics", "CRB-207", "collaborating", "not_advancing")]


@pytest.mark.parametrize("sentence", [
    "Dunvegan Therapeutics, Inc. could withdraw from the collaboration if the trial fails.",
    "Dunvegan Therapeutics, Inc. stopped funding the academic consortium that found the "
    "target of CRB-207.",
])
def test_a_withdrawal_that_may_come_or_funding_of_something_else_changes_nothing(
    sentence: str,
) -> None:
    assert _last(CO_DEVELOPED, _news(date(2014, 7, 7), sentence,
                                     about=CO_DEVELOPED.about)) == []


def test_a_product_handed_back_returns_its_rights() -> None:
    news = _news(date(2011, 2, 7), "Ellesmere Pharma AG has handed CRB-114 back to Corrigan.")
    assert _last(LICENSED, news) == [_relationship("Ellesmere Pharma", "CRB-114", "licensed",
                                                   "rights_returned")]


def test_manufacturing_handed_back_returns_nothing() -> None:
    news = _news(date(2011, 2, 7), "Ellesmere Pharma AG has handed the manufacturing of "
                 "CRB-114 back to its own plants.")
    assert _last(LICENSED, news) == []


@pytest.mark.parametrize("sentence", [
    "Ellesmere Pharma AG completed the dose-finding part of the trial of CRB-114, triggering "
    "a $5 million payment to Corrigan.",
    "The start of the trial resulted in a $3 million payment from Ellesmere Pharma AG.",
])
def test_more_wordings_of_a_payment_earned(sentence: str) -> None:
    assert _paid(sentence) == [MILESTONE]


@pytest.mark.parametrize("sentence", [
    "A Phase 3 start would result in a $10 million payment from Ellesmere Pharma AG.",
    "Corrigan has received $8 million from Ellesmere Pharma AG for research funding.",
    "Corrigan received $20 million from the sale of shares to Ellesmere Pharma AG following "
    "the approval of its board.",
])
def test_more_payments_that_are_no_milestone(sentence: str) -> None:
    assert _paid(sentence) == []


def test_a_code_shaped_like_a_trial_acronym_is_a_product_when_the_release_says_so() -> None:
    licensed = _news(date(2012, 1, 9), "it has granted Ellesmere Pharma AG an exclusive license "
                     "to CRBX-12, an oral inhibitor of the TSR-4 kinase in preclinical "
                     "development.", about="Corrigan Biotherapeutics, Inc. develops kinase "
                     "inhibitors. CRBX-12 is licensed to Ellesmere Pharma AG.")
    assert _last(licensed) == [
        ("partner_added", "Ellesmere Pharma", "CRBX-12", None, None, None),
        ("product_added", "Ellesmere Pharma", "CRBX-12", None, None, None)]


def test_a_sum_from_selling_a_plant_at_the_start_of_the_year_is_no_milestone() -> None:
    assert _paid("At the start of the year, Corrigan received $5 million from Ellesmere Pharma "
                 "AG for the sale of its pilot plant.") == []


def test_enrollment_that_was_put_on_hold_puts_the_product_on_hold() -> None:
    assert _after_phase_2("Enrollment in the Phase 2 trial of CRB-114 was put on hold in "
                          "August.") == [_stage("Ellesmere Pharma", "CRB-114", "phase_2",
                                                "on_hold")]


def test_a_decision_put_on_hold_holds_no_product() -> None:
    assert _after_phase_2("The decision on the Phase 3 design for CRB-114 was put on "
                          "hold.") == []


@pytest.mark.parametrize("sentence", [
    "Ellesmere Pharma AG said the start of the trial achieved an important milestone for its "
    "immunology franchise.",
    "The start of the trial was recognized as a milestone for the field.",
])
def test_a_figurative_milestone_is_none(sentence: str) -> None:
    assert _paid(sentence) == []


def test_a_milestone_achieved_without_an_amount_is_reached() -> None:
    assert _paid("With the start of the trial, Corrigan achieved the first development "
                 "milestone under its license agreement with Ellesmere Pharma AG.") == [MILESTONE]


def test_a_partner_that_licensed_other_products_changes_nothing() -> None:
    opted_out = _news(date(2011, 2, 7), "Ellesmere Pharma AG has decided not to advance "
                      "CRB-114 into Phase 3.")
    news = _news(date(2012, 2, 6), "Ellesmere Pharma AG has licensed two other antibodies for "
                 "Crohn's disease.")
    assert _last(LICENSED, PHASE_1, opted_out, news) == []


@pytest.mark.parametrize("sentence", [
    "the license agreement with Ellesmere Pharma AG for CRB-114 was terminated effective June "
    "30.",
    "Ellesmere Pharma AG's license to CRB-114 ended on June 30.",
])
def test_a_license_told_as_the_subject_that_ended_is_terminated(sentence: str) -> None:
    assert _last(LICENSED, _news(date(2013, 9, 2), sentence)) == [
        _relationship("Ellesmere Pharma", "CRB-114", "licensed", "terminated")]


@pytest.mark.parametrize("sentence", [
    "the license agreement for CRB-114 will terminate on June 30, 2014.",
    "the license agreement with Ellesmere Pharma AG for CRB-114 may be terminated by either "
    "party on 90 days' notice.",
    "the lease agreement for Corrigan's pilot plant, where CRB-114 is made, was terminated.",
])
def test_a_license_that_will_or_may_end_or_a_lease_that_ended_is_not_terminated(
    sentence: str,
) -> None:
    assert _last(LICENSED, _news(date(2013, 9, 2), sentence)) == []


def test_development_ended_is_discontinued() -> None:
    assert _after_phase_2("Ellesmere Pharma AG has ended development of CRB-114.") == [
        _stage("Ellesmere Pharma", "CRB-114", "phase_2", "discontinued")]


def test_a_start_that_slipped_is_a_delay_and_no_start() -> None:
    assert _after_phase_2("the start of the Phase 3 trial of CRB-114 has slipped to 2015 "
                          "because Ellesmere Pharma AG is changing the formulation.") == [
        _stage("Ellesmere Pharma", "CRB-114", "phase_2", "delayed")]


def test_the_start_of_a_trial_that_triggered_a_payment_is_a_start() -> None:
    assert _after_phase_2("the start of the Phase 3 trial of CRB-114 by Ellesmere Pharma AG "
                          "triggered a $9 million milestone payment.")[0] == \
        _stage("Ellesmere Pharma", "CRB-114", "phase_2", "phase_3")


def test_enrollment_resumed_after_a_suspension_returns_to_the_stage_before() -> None:
    suspended = _news(date(2011, 2, 7), "Ellesmere Pharma AG has suspended enrollment in its "
                      "Phase 2 trial of CRB-114.")
    resumed = _news(date(2011, 9, 5), "Ellesmere Pharma AG has resumed enrollment in the Phase "
                    "2 trial of CRB-114.")
    assert _last(LICENSED, PHASE_1, PHASE_2, suspended, resumed) == [
        _stage("Ellesmere Pharma", "CRB-114", "on_hold", "phase_2")]


def test_enrollment_to_be_resumed_changes_nothing() -> None:
    suspended = _news(date(2011, 2, 7), "Ellesmere Pharma AG has suspended enrollment in its "
                      "Phase 2 trial of CRB-114.")
    later = _news(date(2011, 9, 5), "Ellesmere Pharma AG expects to resume enrollment in the "
                  "Phase 2 trial of CRB-114 next year.")
    assert _last(LICENSED, PHASE_1, PHASE_2, suspended, later) == []
