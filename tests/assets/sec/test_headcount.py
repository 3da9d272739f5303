import pytest

from assets.sec.headcount import Headcount, parse_headcount


@pytest.mark.parametrize(
    "text, employees",
    [
        (
            "Human Capital\nAs of December 31, 2024, our employee headcount worldwide was 125,665.",
            125_665,
        ),  # Tesla
        (
            "As of September 28, 2024, the Company had approximately 164,000 full-time equivalent employees.",
            164_000,
        ),
        (
            "We had a global workforce of 74,067 employees as of December 31, 2024, and offices in 90 cities.",
            74_067,
        ),
        (
            "As of the end of fiscal year 2025, we had approximately 36,000 employees in 38 countries; 27,100 were engaged in R&D.",
            36_000,
        ),
        ("At December 31, 2023, we had approximately 1.5 million employees worldwide.", 1_500_000),
        ("As of May 31, 2025, we employed approximately 162,000 full-time employees.", 162_000),
    ],
)
def test_headcount_sentences(text, employees):
    found = parse_headcount(text)
    assert found.employees == employees
    assert str(f"{employees:,}") in found.sentence or "million" in found.sentence


@pytest.mark.parametrize(
    "text",
    [
        "We employ talented people around the world.",  # no figure
        "As of December 31, 2024, approximately 20% of our employees were represented by works councils.",
        "In 2023 we completed a layoff of approximately 11,000 employees as of March 2023.",
        "The IBM 2014 Employees Stock Purchase Plan, filed on June 13, 2014, is incorporated by reference.",
        "We are monitoring the safety of our approximately 4,700 employees in the region.",  # undated subset
    ],
)
def test_sentences_that_are_not_a_headcount(text):
    assert parse_headcount(text) == Headcount(None, None)


def test_conflicting_totals_give_null():
    text = "As of December 31, 2024, we had 10,000 employees. Separately, as of December 31, 2024, we had 12,000 employees."
    assert parse_headcount(text) == Headcount(None, None)


def test_the_human_capital_section_wins_over_the_rest():
    text = (
        "Item 1A. Risk factors\nAs of December 31, 2024, our subsidiary had 900 employees.\n"
        "Human Capital\nAs of December 31, 2024, we had 183,323 employees.\n"
    )
    assert parse_headcount(text) == Headcount(183_323, "As of December 31, 2024, we had 183,323 employees.")


def test_the_same_figure_stated_twice_is_not_a_conflict():
    text = "As of December 31, 2024, Alphabet had 183,323 employees.\nItem 7\nAs of December 31, 2024, we had 183,323 employees."
    assert parse_headcount(text) == Headcount(
        183_323, "As of December 31, 2024, Alphabet had 183,323 employees."
    )
