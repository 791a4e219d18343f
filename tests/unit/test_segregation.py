"""The index of dissimilarity against values worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sozialbericht.analysis.segregation import children_under_15, dissimilarity, index_by_year
from sozialbericht.data.geography import ORTSTEIL


def test_hand_worked_three_areas():
    # group 10, 20, 30 of 100 each: a/A = 1/6, 1/3, 1/2; b/B = 90/240, 80/240, 70/240
    # ½ (|1/6 − 3/8| + |1/3 − 1/3| + |1/2 − 7/24|) = ½ (5/24 + 0 + 5/24) = 5/24
    assert dissimilarity([10, 20, 30], [100, 100, 100]) == pytest.approx(5 / 24)


def test_hand_worked_unequal_areas():
    # group 5, 45 in areas of 50 and 150: a/A = 0,1, 0,9; b = 45, 105 of 150: 0,3, 0,7; D = ½ (0,2 + 0,2) = 0,2
    assert dissimilarity([5, 45], [50, 150]) == pytest.approx(0.2)


def test_bounds_equal_spread_and_complete_separation():
    assert dissimilarity([10, 20, 30], [100, 200, 300]) == pytest.approx(0.0)
    assert dissimilarity([50, 0], [50, 50]) == pytest.approx(1.0)
    assert math.isnan(dissimilarity([0, 0], [10, 10]))


def test_group_larger_than_total_is_an_error():
    with pytest.raises(ValueError, match="between 0 and its total"):
        dissimilarity([60, 0], [50, 50])


def test_children_under_15_from_youth_and_old_age_ratio():
    # 1.000 residents, JQ 20, AQ 30: 15–64 = 1.000 / 1,5 = 666,7; children = 0,2 · 666,7 = 133,3
    assert children_under_15(pd.Series([1000.0]), pd.Series([20.0]), pd.Series([30.0]))[0] == pytest.approx(400 / 3)


class FakeInputs:
    """Two Ortsteile, one year: Einwohner, Ausländer, SGB II, Jugend- and Altenquote."""

    def __init__(self):
        rows = {
            ("einwohner", "Einwohner insgesamt"): [1000, 3000],
            ("einwohner", "Ausländer"): [300, 100],
            ("sgb2", "Personen in Bedarfsgemeinschaften"): [200, 200],
            ("sgb2", "unter 15 Jahre"): [50, 20],
            ("alter", "Jugendquote"): [25, 20],
            ("alter", "Altenquote"): [25, 30],
        }
        self.frames = {
            key: pd.DataFrame(
                {"area_code": ["00", "01"], "level": ORTSTEIL, "year": 2022, "value": vals, "status": "ok"}
            )
            for key, vals in rows.items()
        }

    def series(self, dataset, feature):
        if (dataset, feature) not in self.frames:
            raise KeyError(feature)
        return self.frames[(dataset, feature)]


def test_index_by_year_on_two_ortsteile():
    table = index_by_year(FakeInputs()).set_index("comparison")
    # foreigners 300/400, 100/400 vs Germans 700/3.600, 2.900/3.600: ½ (|0,75 − 0,1944| + |0,25 − 0,8056|) = 5/9
    assert table.loc["auslaender", "index"] == pytest.approx(5 / 9)
    # children: 1.000 · 25/150 = 166,7 and 3.000 · 20/150 = 400; in BG 50 and 20
    kids = [1000 * 25 / 150, 3000 * 20 / 150]
    expected = 0.5 * (
        abs(50 / 70 - (kids[0] - 50) / (sum(kids) - 70)) + abs(20 / 70 - (kids[1] - 20) / (sum(kids) - 70))
    )
    assert table.loc["sgb2_kinder", "index"] == pytest.approx(expected)
    assert table.loc["sgb2", "areas"] == 2
