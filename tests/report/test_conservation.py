"""The report's conservation headline counts only the years the report uses."""

from __future__ import annotations

import pandas as pd

from veerkracht.report.content import largest_conservation_error


class _Store:
    """The one query the headline needs, as the store answers it (Amsterdam, edition 2019)."""

    def conservation_summary(self, gemeente: str, edition: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "period": [2017, 2019, 2023],
                "source_edition": [2017, 2019, 2023],
                "method": ["identiek", "kruistabel", "geen"],
                "variables": [37, 48, 1],
                "max_error": [0.0, 0.0123, 1.0],  # 2023: no crosswalk, everything lost
                "n_source": [479, 479, 333],
                "n_unmatched": [0, 0, 333],
            }
        )


def test_a_stored_year_the_report_does_not_use_does_not_count() -> None:
    assert largest_conservation_error(_Store(), "GM0363", 2019, {2017, 2019}) == "1,23%"


def test_a_used_year_without_translation_does_count() -> None:
    assert largest_conservation_error(_Store(), "GM0363", 2019, {2019, 2023}) == "100,00%"


def test_no_used_year_in_the_table() -> None:
    assert largest_conservation_error(_Store(), "GM0363", 2019, {2010}) == "–"
