"""Minimal pairs for the wordings a second, independently written corpus used and the rules
first missed: for each cause, the change said in new words (and new fictional names), and
its twin that must stay silent. Each case runs whole releases through normalize, extract and
the ledger, in date order, as the daemon does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import pytest
from watcher.extract import extract_release
from watcher.ledger import PairKey, apply_extraction
from watcher.models import AliasLink, Company, LedgerEntry
from watcher.normalize import normalize_exhibit
from watcher.pipeline import extract_context

FILER = Company(9900999, "Tollymore Biosciences, Inc.", ("TLMB",))
Changed = tuple[str, str | None, str | None, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Issue:
    """One release of the fictional filer: its body paragraphs and its About paragraph."""

    when: date
    body: Sequence[str]
    about: str = ""


def _exhibit(issue: Issue) -> bytes:
    lines = ["EXHIBIT 99.1", "", "TOLLYMORE BIOSCIENCES REPORTS NEWS", "",
             f"DEDHAM, Mass.--(BUSINESS WIRE)--{issue.when:%B} {issue.when.day}, "
             f"{issue.when.year}--{issue.body[0]}", ""]
    for paragraph in issue.body[1:]:
        lines += [paragraph, ""]
    if issue.about:
        lines += ["About Tollymore Biosciences", "", issue.about, ""]
    lines += ["This press release contains forward-looking statements. Partners may terminate "
              "their agreements, and trials may be delayed or discontinued.", ""]
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
                                  accession=f"a-{number}", filed=issue.when)
        for entry in update.entries:
            ledger[(entry.partner, entry.product)] = entry
        learned.extend(update.aliases)
        out.append([(c.kind, c.partner, c.product, c.field, c.from_status, c.to_status)
                    for c in update.changes])
    return out


def _last(*issues: Issue) -> list[Changed]:
    return _history(*issues)[-1]


# A licence and an About paragraph most cases start from.
QUENBY_LICENSE = Issue(
    date(2009, 3, 2),
    ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that it has granted Quenby "
     "Pharma AG an exclusive worldwide license to develop and commercialize TBX-208, a "
     "preclinical kinase inhibitor."],
    "Tollymore Biosciences, Inc. develops kinase inhibitors. TBX-208 is licensed to Quenby "
    "Pharma AG.")


def test_the_first_licence_adds_its_partner_and_its_product() -> None:
    assert _last(QUENBY_LICENSE) == [
        ("partner_added", "Quenby Pharma", "TBX-208", None, None, None),
        ("product_added", "Quenby Pharma", "TBX-208", None, None, None),
    ]


# --------------------------------------------------------------------------- A: code names
# A code name may end in a lower-case letter (a second molecule of a series); the About list
# and the body then name it like any other product.

QUENBY_RESEARCH = Issue(
    date(2010, 1, 11),
    ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) and Quenby Pharma AG today announced a "
     "research collaboration to discover bispecific antibodies."],
    "Tollymore Biosciences, Inc. develops bispecific antibodies. The Company has a research "
    "collaboration with Quenby Pharma AG and has licensed TBX-208 to Marisol Therapeutics, Inc.")
CANDIDATE_NAMED = Issue(
    date(2011, 6, 6),
    ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today reported that Quenby Pharma AG has "
     "nominated TBX-31c, a preclinical bispecific antibody for gastric cancer, as the first "
     "development candidate of the companies' research collaboration."],
    "Tollymore Biosciences, Inc. develops bispecific antibodies. TBX-31c is being developed by "
    "Quenby Pharma AG under the companies' research collaboration. TBX-208 is licensed to "
    "Marisol Therapeutics, Inc.")


def test_a_code_name_ending_in_a_lower_case_letter_is_a_product_added_with_its_partner() -> None:
    assert _last(QUENBY_RESEARCH, CANDIDATE_NAMED) == [
        ("product_added", "Quenby Pharma", "TBX-31c", None, None, None)]


def test_a_candidate_that_may_be_named_later_adds_nothing() -> None:
    maybe = Issue(date(2011, 6, 6),
                  ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today said that Quenby Pharma AG "
                   "may nominate TBX-31c as a development candidate later this year."],
                  QUENBY_RESEARCH.about)
    assert _last(QUENBY_RESEARCH, maybe) == []


def _regained(about: str) -> Issue:
    return Issue(date(2013, 9, 9),
                 ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that it has "
                  "reacquired all rights to TBX-31c from Quenby Pharma AG."], about)


def test_a_partner_leaving_the_about_list_for_news_in_the_same_release_is_one_change() -> None:
    about = ("Tollymore Biosciences, Inc. develops bispecific antibodies, including TBX-31c. "
             "TBX-208 is licensed to Marisol Therapeutics, Inc.")
    assert _last(QUENBY_RESEARCH, CANDIDATE_NAMED, _regained(about)) == [
        ("status_changed", "Quenby Pharma", "TBX-31c", "relationship", "collaborating",
         "rights_returned")]


def test_a_partner_leaving_the_about_list_after_stopping_its_trial_is_one_change() -> None:
    stopped = Issue(date(2013, 9, 9),
                    ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today said that Quenby Pharma "
                     "AG has discontinued the Phase 1 trial of TBX-31c."],
                    "Tollymore Biosciences, Inc. develops bispecific antibodies, including "
                    "TBX-31c. TBX-208 is licensed to Marisol Therapeutics, Inc.")
    started = Issue(date(2012, 10, 1),
                    ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby "
                     "Pharma AG has started a Phase 1 trial of TBX-31c."], CANDIDATE_NAMED.about)
    assert _last(QUENBY_RESEARCH, CANDIDATE_NAMED, started, stopped) == [
        ("status_changed", "Quenby Pharma", "TBX-31c", "stage", "phase_1", "discontinued")]


def test_a_partner_leaving_the_about_list_silently_is_removed() -> None:
    silent = Issue(date(2013, 9, 9),
                   ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today reported its results for "
                    "the second quarter of 2013."],
                   "Tollymore Biosciences, Inc. develops bispecific antibodies, including "
                   "TBX-31c. TBX-208 is licensed to Marisol Therapeutics, Inc.")
    assert _last(QUENBY_RESEARCH, CANDIDATE_NAMED, silent) == [
        ("partner_removed", "Quenby Pharma", "TBX-31c", None, None, None)]


def test_a_generic_name_given_as_formerly_the_code_name_is_the_same_product() -> None:
    renamed = Issue(
        date(2012, 10, 1),
        ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby Pharma AG "
         "has started a Phase 1 trial of selanitamab vedotin, formerly TBX-31c, in patients "
         "with gastric cancer."],
        "Tollymore Biosciences, Inc. develops bispecific antibodies. Selanitamab vedotin is "
        "being developed by Quenby Pharma AG under the companies' research collaboration. "
        "TBX-208 is licensed to Marisol Therapeutics, Inc.")
    assert _last(QUENBY_RESEARCH, CANDIDATE_NAMED, renamed) == [
        ("status_changed", "Quenby Pharma", "TBX-31c", "stage", "preclinical", "phase_1")]


# --------------------------------------------------------------------------- D: trial names
# A trial's own name ("ARDEN-2", "HORIZON-LT 3") between the start verb and the phase is no
# product, and does not hide the product the trial tests.

PHASE_1 = Issue(date(2010, 5, 3),
                ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby Pharma "
                 "AG has begun a Phase 1 trial of TBX-208 in healthy volunteers."],
                QUENBY_LICENSE.about)
PHASE_2 = Issue(date(2012, 2, 6),
                ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby Pharma "
                 "AG has begun a Phase 2 trial of TBX-208 in rheumatoid arthritis."],
                QUENBY_LICENSE.about)


def _news(when: date, sentence: str) -> Issue:
    return Issue(when, [f"Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that "
                        f"{sentence}"], QUENBY_LICENSE.about)


def test_a_named_trial_with_a_number_after_a_space_still_starts_the_phase() -> None:
    news = _news(date(2014, 4, 7), "Quenby Pharma AG has enrolled the first patient in "
                 "HORIZON-LT 3, the second of two pivotal Phase 3 studies of TBX-208.")
    assert _last(QUENBY_LICENSE, PHASE_1, PHASE_2, news) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "stage", "phase_2", "phase_3")]


def test_a_randomized_first_participant_in_a_named_trial_starts_the_phase() -> None:
    news = _news(date(2012, 2, 6), "the first participant has been randomized in ARDEN-2, a "
                 "placebo-controlled Phase 2 trial of TBX-208 run by Quenby Pharma AG.")
    assert _last(QUENBY_LICENSE, PHASE_1, news) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "stage", "phase_1", "phase_2")]


def test_a_planned_randomization_in_a_named_trial_changes_nothing() -> None:
    news = _news(date(2012, 2, 6), "Quenby Pharma AG expects to randomize the first "
                 "participant in ARDEN-2, a Phase 2 trial of TBX-208, in the fourth quarter.")
    assert _last(QUENBY_LICENSE, PHASE_1, news) == []


def test_a_trial_once_named_as_such_is_no_product_in_the_other_sentences() -> None:
    news = Issue(date(2014, 4, 7), [
        "Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby Pharma AG "
        "dosed the first patient in LYRA-3, a global Phase 3 study of TBX-208.",
        "The start of LYRA-3 triggered a $10 million milestone payment to Tollymore.",
        "LYRA-3 will enroll about 600 patients; its results are expected in 2017."],
        QUENBY_LICENSE.about)
    assert _last(QUENBY_LICENSE, PHASE_1, PHASE_2, news) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "stage", "phase_2", "phase_3"),
        ("milestone_reached", "Quenby Pharma", "TBX-208", None, None, None)]


def test_a_trial_name_shaped_like_a_code_name_is_not_a_product() -> None:
    news = _news(date(2014, 4, 7), "Quenby Pharma AG dosed the first patient in KITE-3, a "
                 "global Phase 3 study of TBX-208.")
    assert _last(QUENBY_LICENSE, PHASE_1, PHASE_2, news) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "stage", "phase_2", "phase_3")]


# --------------------------------------------------------------------------- E: approvals
# Only an approval of the product itself is stage "approved"; a clinical trial application
# (the European IND) cleared or approved is ind_filed, and someone else's approval is no news.

def test_an_approved_clinical_trial_application_is_an_ind_and_the_next_phase_follows() -> None:
    cleared = _news(date(2009, 11, 2), "Quenby Pharma AG has received clearance of its "
                    "clinical trial application for TBX-208 from the Danish Medicines Agency.")
    dosed = _news(date(2010, 5, 3), "Quenby Pharma AG dosed the first subject in a Phase 1 "
                  "trial of TBX-208 in Copenhagen.")
    assert _history(QUENBY_LICENSE, cleared, dosed)[1:] == [
        [("status_changed", "Quenby Pharma", "TBX-208", "stage", "preclinical", "ind_filed")],
        [("status_changed", "Quenby Pharma", "TBX-208", "stage", "ind_filed", "phase_1")],
    ]


def test_an_expected_approval_of_a_trial_application_changes_nothing() -> None:
    expected = _news(date(2009, 11, 2), "Quenby Pharma AG expects approval of its clinical "
                     "trial application for TBX-208 in the first quarter of 2010.")
    assert _last(QUENBY_LICENSE, expected) == []


def test_the_approval_of_another_companys_drug_is_not_an_approval_of_the_product() -> None:
    context = Issue(date(2012, 2, 6), [
        "Tollymore Biosciences, Inc. (Nasdaq: TLMB) today provided an update on TBX-208.",
        "Quenby Pharma AG said that the approval of another company's oral JAK inhibitor in "
        "rheumatoid arthritis has made recruitment slower."], QUENBY_LICENSE.about)
    assert _last(QUENBY_LICENSE, PHASE_1, context) == []


def test_the_approval_of_the_product_itself_is_approved() -> None:
    approved = _news(date(2016, 8, 1), "Quenby Pharma AG announced the approval of TBX-208 in "
                     "Japan for the treatment of rheumatoid arthritis.")
    filed = Issue(date(2015, 9, 7), ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today "
                                     "announced that Quenby Pharma AG has submitted a New Drug "
                                     "Application for TBX-208 in Japan."], QUENBY_LICENSE.about)
    assert _history(QUENBY_LICENSE, PHASE_1, PHASE_2, filed, approved)[-2:] == [
        [("status_changed", "Quenby Pharma", "TBX-208", "stage", "phase_2", "filed")],
        [("status_changed", "Quenby Pharma", "TBX-208", "stage", "filed", "approved")],
    ]


def test_a_trial_application_and_the_first_dose_in_one_sentence_are_one_step_to_phase_1() -> None:
    both = _news(date(2010, 6, 7), "following approval of its clinical trial application in "
                 "March, Quenby Pharma AG dosed the first patient in a Phase 1 trial of TBX-208 "
                 "in May.")
    assert _last(QUENBY_LICENSE, both) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "stage", "preclinical", "phase_1")]


# --------------------------------------------------------------------------- G: milestones
# A payment earned on an event, in any currency, with the payee between verb and amount; the
# same words about a payment that may come, or that is not a milestone, stay silent.

def _milestone(sentence: str) -> list[Changed]:
    news = Issue(date(2010, 5, 3), [
        "Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby Pharma AG has "
        "begun a Phase 1 trial of TBX-208 in healthy volunteers.", sentence],
        QUENBY_LICENSE.about)
    return [c for c in _last(QUENBY_LICENSE, news) if c[0] == "milestone_reached"]


MILESTONE_REACHED = ("milestone_reached", "Quenby Pharma", "TBX-208", None, None, None)


def test_a_milestone_earned_by_the_company_in_swiss_francs_is_reached() -> None:
    assert _milestone("Dosing of the first subject earned the Company a CHF 4 million "
                      "milestone payment from Quenby Pharma AG.") == [MILESTONE_REACHED]


def test_a_milestone_the_first_dose_would_earn_is_not_reached() -> None:
    assert _milestone("Dosing of the first subject in a later trial would earn the Company a "
                      "CHF 4 million milestone payment from Quenby Pharma AG.") == []


def test_an_event_that_entitles_the_company_to_a_milestone_in_pounds_reaches_it() -> None:
    assert _milestone("The start of the trial entitles Tollymore to a £3.5 million milestone "
                      "payment, which Quenby Pharma AG paid in April.") == [MILESTONE_REACHED]


def test_being_entitled_to_further_milestones_reaches_none() -> None:
    assert _milestone("Tollymore remains entitled to up to £30 million in further milestone "
                      "payments from Quenby Pharma AG.") == []


@pytest.mark.parametrize("sentence", [
    "With the first dosing, Tollymore became entitled to a $4 million milestone payment from "
    "Quenby Pharma AG.",
    "The first dosing generated a $1 million milestone payment from Quenby Pharma AG.",
    "Quenby Pharma AG paid Tollymore a milestone of 2 million euros for the first dosing.",
])
def test_other_wordings_of_a_milestone_reached(sentence: str) -> None:
    assert _milestone(sentence) == [MILESTONE_REACHED]


def test_a_payment_the_event_triggered_is_a_milestone_even_without_the_word() -> None:
    assert _milestone("Initiation of the study triggered a $6 million payment from Quenby "
                      "Pharma AG to Tollymore.") == [MILESTONE_REACHED]


def test_a_payment_the_event_does_not_trigger_and_an_upfront_fee_are_no_milestones() -> None:
    assert _milestone("Initiation of the study does not trigger a payment to Tollymore; Quenby "
                      "Pharma AG paid a $6 million upfront fee in 2009.") == []


def test_the_amount_of_a_milestone_keeps_its_currency() -> None:
    sentence = ("The start of the TBX-208 trial earned Tollymore a €5.5 million milestone "
                "payment from Quenby Pharma AG.")
    release = normalize_exhibit(_exhibit(Issue(date(2010, 5, 3), [sentence])))
    context = extract_context(None, FILER, release, {}, (), date(2010, 5, 3))
    context = replace(context, known_partners=("Quenby Pharma",), known_products=("TBX-208",),
                      pairs=(("Quenby Pharma", "TBX-208", "licensed", True),))
    facts = extract_release(release, context).facts
    assert [f.detail for f in facts if f.field == "milestone"] == ["EUR5500000"]


# --------------------------------------------------------------------------- B: re-licensing
# A product whose rights came back and that goes to a new partner: partner_added, and
# product_added with that partner (the first release naming the pair), whether the About
# paragraph already lists the new partner or not.

RETURNED = Issue(date(2011, 3, 7),
                 ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that Quenby Pharma "
                  "AG has returned all rights to TBX-208 to Tollymore."],
                 "Tollymore Biosciences, Inc. develops kinase inhibitors, including TBX-208.")
DUNMORE_ABOUT = ("Tollymore Biosciences, Inc. develops kinase inhibitors. TBX-208 is licensed "
                 "in Europe to Dunmore Laboratories plc.")


def test_a_returned_product_licensed_to_a_new_partner_is_added_with_it() -> None:
    relicensed = Issue(date(2013, 1, 14),
                       ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) and Dunmore Laboratories plc "
                        "today signed an exclusive license agreement for TBX-208 in Europe."],
                       DUNMORE_ABOUT)
    assert _last(QUENBY_LICENSE, RETURNED, relicensed) == [
        ("partner_added", "Dunmore Laboratories", "TBX-208", None, None, None),
        ("product_added", "Dunmore Laboratories", "TBX-208", None, None, None)]


def test_a_new_partner_that_obtains_the_rights_of_a_returned_product_is_added_with_it() -> None:
    relicensed = Issue(date(2013, 1, 14),
                       ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today said that Dunmore "
                        "Laboratories plc has obtained exclusive European rights to develop and "
                        "sell TBX-208."], RETURNED.about)
    assert _last(QUENBY_LICENSE, RETURNED, relicensed) == [
        ("partner_added", "Dunmore Laboratories", "TBX-208", None, None, None),
        ("product_added", "Dunmore Laboratories", "TBX-208", None, None, None)]


def test_talks_about_licensing_a_returned_product_add_nobody() -> None:
    talks = Issue(date(2012, 5, 7),
                  ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today said that it may license "
                   "TBX-208 to a new partner and has held early talks with several companies."],
                  RETURNED.about)
    assert _last(QUENBY_LICENSE, RETURNED, talks) == []


# --------------------------------------------------------------------------- C: history
# A sentence telling how the product's previous partner gave it back does not hide the new
# partner's deal in the same release, and moves nothing by itself.

HISTORY = ("In 2011, Quenby Pharma AG ended its license to TBX-208 after completing its "
           "preclinical work, and all rights returned to Tollymore.")


def test_the_previous_partners_history_does_not_hide_the_new_partners_license() -> None:
    relicensed = Issue(date(2013, 1, 14),
                       ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) announced today that it has "
                        "licensed TBX-208 to Dunmore Laboratories plc for Europe.", HISTORY],
                       RETURNED.about)
    assert _last(QUENBY_LICENSE, RETURNED, relicensed) == [
        ("partner_added", "Dunmore Laboratories", "TBX-208", None, None, None),
        ("product_added", "Dunmore Laboratories", "TBX-208", None, None, None)]


def test_the_previous_partners_history_alone_changes_nothing() -> None:
    recap = Issue(date(2013, 1, 14),
                  ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today reported its results for "
                   "2012.", HISTORY], RETURNED.about)
    assert _last(QUENBY_LICENSE, RETURNED, recap) == []


# --------------------------------------------------------------------------- F: wordings
# Relationship news said without the usual verbs: a collaboration continued for a stated
# further period (extended), a license that "now extends to all ..." (expanded), a partner
# that "will no longer pursue" a product (not_advancing), and the return of rights after it.

def _collaboration_news(sentence: str) -> list[Changed]:
    news = Issue(date(2011, 9, 5), [
        f"Tollymore Biosciences, Inc. (Nasdaq: TLMB) today announced that {sentence}"],
        QUENBY_RESEARCH.about)
    return _last(QUENBY_RESEARCH, news)


EXTENDED = [("status_changed", "Quenby Pharma", None, "relationship", "collaborating",
             "extended")]


def test_a_collaboration_continued_for_another_period_is_extended() -> None:
    assert _collaboration_news("it and Quenby Pharma AG have agreed to continue their "
                               "discovery collaboration for another eighteen months.") == EXTENDED


def test_a_collaboration_renewed_until_a_year_is_extended() -> None:
    assert _collaboration_news("the research collaboration with Quenby Pharma AG has been "
                               "renewed until 2014.") == EXTENDED


def test_a_collaboration_continued_on_its_terms_or_maybe_renewed_is_not_extended() -> None:
    assert _collaboration_news("it and Quenby Pharma AG have agreed to continue their "
                               "discovery collaboration on its current terms.") == []
    assert _collaboration_news("Quenby Pharma AG may renew the research collaboration when it "
                               "ends next year.") == []


def _license_news(*sentences: str, before: Sequence[Issue] = ()) -> list[Changed]:
    news = Issue(date(2012, 2, 6), [
        "Tollymore Biosciences, Inc. (Nasdaq: TLMB) today provided an update on TBX-208.",
        *sentences], QUENBY_LICENSE.about)
    return _last(QUENBY_LICENSE, *before, news)


def test_a_license_that_now_covers_every_territory_is_expanded() -> None:
    assert _license_news("Under the amended agreement, Quenby Pharma AG's license, which was "
                         "limited to Europe, now covers all territories worldwide.") == [
        ("status_changed", "Quenby Pharma", "TBX-208", "relationship", "licensed",
         "expanded")]


def test_a_license_that_now_covers_manufacturing_is_not_expanded() -> None:
    assert _license_news("Quenby Pharma AG's license now covers the manufacture of TBX-208 "
                         "at its plant in Basel.") == []


NO_LONGER = "Quenby Pharma AG has told Tollymore that it will no longer develop TBX-208."


def test_a_partner_that_will_no_longer_develop_the_product_is_not_advancing() -> None:
    assert _license_news(NO_LONGER) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "relationship", "licensed",
         "not_advancing")]


def test_a_partner_that_decided_to_stop_its_development_is_not_advancing() -> None:
    assert _license_news("Quenby Pharma AG has decided to stop its development of TBX-208 "
                         "for business reasons.") == [
        ("status_changed", "Quenby Pharma", "TBX-208", "relationship", "licensed",
         "not_advancing")]


def test_a_partner_that_would_no_longer_pursue_the_product_if_a_trial_failed_is_silent() -> None:
    assert _license_news("Quenby Pharma AG said it will no longer pursue TBX-208 if the "
                         "Phase 2 trial fails to meet its primary endpoint.") == []


def test_rights_returned_after_an_opt_out_change_from_not_advancing() -> None:
    opted_out = Issue(date(2012, 2, 6), ["Tollymore Biosciences, Inc. (Nasdaq: TLMB) today "
                                         f"announced that {NO_LONGER}"], QUENBY_LICENSE.about)
    returned = Issue(date(2012, 9, 3), [
        "Tollymore Biosciences, Inc. (Nasdaq: TLMB) today reported that Quenby Pharma AG "
        "returned all rights to TBX-208 to the Company in August."], RETURNED.about)
    assert _last(QUENBY_LICENSE, opted_out, returned) == [
        ("status_changed", "Quenby Pharma", "TBX-208", "relationship", "not_advancing",
         "rights_returned")]
