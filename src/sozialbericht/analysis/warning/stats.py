"""Statistics of the early-warning system: intervals, trend tests, multiple testing, shrinkage."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from sozialbericht.errors import SozialberichtError

BETTER, SIMILAR, WORSE, UNTESTABLE = "signifikant besser", "ähnlich", "signifikant schlechter", "nicht prüfbar"
RISING, FALLING, FLAT = "steigend", "fallend", "gleichbleibend"


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions successes/trials (vectorised; proportions 0..1).

    NaN where trials is missing or not positive, or successes is missing or outside 0..trials.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        bad = ~np.isfinite(p) | (n <= 0) | (x < 0) | (x > n)
        lower = np.where(bad, np.nan, np.where(x == 0, 0.0, np.clip(centre - half, 0, 1)))
        upper = np.where(bad, np.nan, np.where(x == n, 1.0, np.clip(centre + half, 0, 1)))
    return lower, upper


def poisson_interval(events, exposure, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson interval for the rate events/exposure (vectorised)."""
    x = np.asarray(events, dtype=float)
    n = np.asarray(exposure, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        low_count = np.where(x > 0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
        x1 = x + 1
        high_count = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
        bad = ~np.isfinite(x) | ~np.isfinite(n) | (n <= 0) | (x < 0)
        lower = np.where(bad, np.nan, low_count / n)
        upper = np.where(bad, np.nan, high_count / n)
    return lower, upper


def rate_interval(numerator, denominator, factor: float, method: str, confidence: float):
    """Interval of value = numerator / denominator * factor with ``method`` wilson|poisson|none."""
    if method == "wilson":
        lower, upper = wilson_interval(numerator, denominator, confidence)
    elif method == "poisson":
        lower, upper = poisson_interval(numerator, denominator, confidence)
    else:
        shape = np.shape(np.asarray(numerator, dtype=float))
        return np.full(shape, np.nan), np.full(shape, np.nan)
    return lower * factor, upper * factor


def _normal_p(z: float) -> float:
    return 2 * (1 - NormalDist().cdf(abs(z)))


def _student_p(t: float, df: int) -> float:
    """Two-sided p of Student's t with an integer ``df`` ≥ 1 (Abramowitz & Stegun 26.7.3–4)."""
    theta = math.atan(abs(t) / math.sqrt(df))
    sin, cos = math.sin(theta), math.cos(theta)
    if df % 2:  # odd
        term, total = cos, cos if df > 1 else 0.0
        for k in range(1, (df - 3) // 2 + 1):
            term *= cos * cos * (2 * k) / (2 * k + 1)
            total += term
        inside = 2 / math.pi * (theta + sin * total)
    else:
        term = total = 1.0
        for k in range(1, (df - 2) // 2 + 1):
            term *= cos * cos * (2 * k - 1) / (2 * k)
            total += term
        inside = sin * total
    return max(0.0, min(1.0, 1 - inside))


def _mahonian(n: int) -> list[int]:
    """Number of permutations of n items by number of inversions."""
    counts = [1]
    for k in range(2, n + 1):
        new = [0] * (len(counts) + k - 1)
        for inversions, ways in enumerate(counts):
            for extra in range(k):
                new[inversions + extra] += ways
        counts = new
    return counts


def mann_kendall(years, values) -> dict:
    """Mann–Kendall test: S, two-sided p (exact without ties for n <= 10), Sen's slope."""
    t = np.asarray(years, dtype=float)
    x = np.asarray(values, dtype=float)
    n = len(x)
    s = 0
    slopes = []
    for i in range(n - 1):
        for j in range(i + 1, n):
            s += int(np.sign(x[j] - x[i]))
            slopes.append((x[j] - x[i]) / (t[j] - t[i]))
    _, ties = np.unique(x, return_counts=True)
    has_ties = bool((ties > 1).any())
    if s == 0:
        p = 1.0
    elif not has_ties and n <= 10:
        counts = _mahonian(n)
        pairs = n * (n - 1) // 2
        # S = pairs - 2 * inversions; P(|S| >= |s|) = 2 * P(inversions <= (pairs - |s|) / 2)
        limit = (pairs - abs(s)) // 2
        p = min(1.0, 2 * sum(counts[: limit + 1]) / math.factorial(n))
    else:
        variance = (n * (n - 1) * (2 * n + 5) - sum(t_ * (t_ - 1) * (2 * t_ + 5) for t_ in ties)) / 18
        p = _normal_p((s - np.sign(s)) / math.sqrt(variance)) if variance > 0 else 1.0
    return {"statistic": float(s), "p_value": float(p), "slope": float(np.median(slopes)) if slopes else math.nan}


def _score_trend(t, x, n, proportion: bool) -> tuple[float, float]:
    """Cochran–Armitage (proportion) or Poisson score test for a linear trend: (z, p two-sided)."""
    total, events = n.sum(), x.sum()
    mean_t = (n * t).sum() / total
    statistic = (x * (t - mean_t)).sum()
    rate = events / total
    variance = rate * (1 - rate if proportion else 1) * (n * (t - mean_t) ** 2).sum()
    if not variance > 0:
        return 0.0, 1.0
    z = statistic / math.sqrt(variance)
    return float(z), float(_normal_p(z))


def dispersion(t, x, n, proportion: bool) -> float:
    """Pearson dispersion φ of the counts around the fitted linear trend of x/n (quasi-likelihood).

    φ = Σ (x_j − n_j p̂_j)² / Var_j / (T − 2), with p̂_j the n-weighted least-squares line and
    Var_j = n_j p̂_j (1 − p̂_j) (proportions) or n_j p̂_j (rates). Real small-area counts vary more
    from year to year than binomial or Poisson counts (φ > 1); the trend test then overstates its
    certainty. NaN with fewer than 4 values (too few degrees of freedom to estimate φ).
    """
    if len(t) < 4:
        return math.nan
    p = x / n
    mean_t = (n * t).sum() / n.sum()
    mean_p = (n * p).sum() / n.sum()
    sxx = (n * (t - mean_t) ** 2).sum()
    slope = (n * (t - mean_t) * (p - mean_p)).sum() / sxx if sxx > 0 else 0.0
    fitted = np.clip(mean_p + slope * (t - mean_t), 1e-12, 1 - 1e-12 if proportion else np.inf)
    variance = n * fitted * ((1 - fitted) if proportion else 1)
    return float(((x - n * fitted) ** 2 / variance).sum() / (len(t) - 2))


def trend_test(series: pd.DataFrame, years: int | None = 5, method: str = "auto", overdispersion: bool = False) -> dict:
    """Test for a trend over the last ``years`` values of one area.

    ``series``: columns year, value and (for count-based rates) numerator, denominator.
    method: cochran_armitage (proportions from counts; the Cochran–Armitage test for trend
    with the years as scores), poisson_trend (events per population: the analogous score
    test of a log-linear Poisson model), mann_kendall (values without counts), or auto
    (Cochran–Armitage when counts exist, else Mann–Kendall).

    Returns a dict: method, n, first_year, last_year, first_value, last_value, slope (change of
    the value per year: count-weighted least squares for the count tests, Sen's slope for
    Mann–Kendall), direction ('steigend'|'fallend'|'gleichbleibend'), statistic (z or S),
    p_value (two-sided; NaN when fewer than 3 values), dispersion (φ of the count tests, see
    ``dispersion``; NaN otherwise). With ``overdispersion`` the count tests divide z by √φ when
    φ > 1 and take p from Student's t with T − 2 degrees of freedom (a quasi-binomial or
    quasi-Poisson score test with estimated dispersion).
    """

    # plain arrays, not DataFrame filtering: the build runs this about 500 times per edition
    def column(name: str) -> np.ndarray:
        return series[name].to_numpy(dtype=float, na_value=np.nan)

    year, value = column("year"), column("value")
    keep = ~np.isnan(value)
    has_counts = {"numerator", "denominator"} <= set(series.columns)
    if method in ("auto", "cochran_armitage", "poisson_trend"):
        if has_counts:
            numerator, denominator = column("numerator"), column("denominator")
            keep &= ~np.isnan(numerator) & ~np.isnan(denominator) & (np.nan_to_num(denominator) > 0)
        if method == "auto":
            method = "cochran_armitage" if has_counts and keep.any() else "mann_kendall"
        elif not has_counts:
            raise SozialberichtError(f"trend_test: method {method!r} needs numerator and denominator counts")
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(year[rows], kind="stable")]
    if years:
        rows = rows[-int(years) :]
    result = {
        "method": method,
        "n": len(rows),
        "first_year": None,
        "last_year": None,
        "first_value": math.nan,
        "last_value": math.nan,
        "slope": math.nan,
        "direction": FLAT,
        "statistic": math.nan,
        "p_value": math.nan,
        "dispersion": math.nan,
    }
    if not len(rows):
        return result
    t, v = year[rows], value[rows]
    result.update(first_year=int(t[0]), last_year=int(t[-1]), first_value=float(v[0]), last_value=float(v[-1]))
    if len(rows) < 3:
        return result
    if method == "mann_kendall":
        test = mann_kendall(t, v)
        slope, statistic, p = test["slope"], test["statistic"], test["p_value"]
    else:
        x = column("numerator")[rows]
        n = column("denominator")[rows]
        proportion = method == "cochran_armitage"
        statistic, p = _score_trend(t, x, n, proportion=proportion)
        phi = dispersion(t, x, n, proportion=proportion)
        result["dispersion"] = phi
        if overdispersion and phi > 1:
            # φ is estimated from T − 2 degrees of freedom: compare with Student's t, not the normal
            statistic = statistic / math.sqrt(phi)
            p = _student_p(statistic, len(t) - 2)
        mean_t = (n * t).sum() / n.sum()
        mean_v = (n * v).sum() / n.sum()
        sxx = (n * (t - mean_t) ** 2).sum()
        slope = float((n * (t - mean_t) * (v - mean_v)).sum() / sxx) if sxx > 0 else math.nan
    direction = RISING if slope > 0 else FALLING if slope < 0 else FLAT
    result.update(slope=float(slope), direction=direction, statistic=float(statistic), p_value=float(p))
    return result


# -- status and dynamics -------------------------------------------------------------------


# -- multiple testing, tests against a reference, shrinkage ----------------------------------


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN and does not count as a test.

    q_(i) = min_{j >= i} m p_(j) / j over the m p-values present, capped at 1. Rejecting every
    hypothesis with q < α controls the false discovery rate at α for independent or positively
    dependent tests (Benjamini & Hochberg 1995).
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = len(present)
    if not m:
        return q
    order = present[np.argsort(p[present], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def one_sided_p(z) -> np.ndarray:
    """P(Z >= z) for a standard normal Z (vectorised; NaN stays NaN)."""
    z = np.asarray(z, dtype=float)
    return np.asarray(0.5 * _ERFC(z / math.sqrt(2)), dtype=float)


def two_sided_p(z) -> np.ndarray:
    """P(|Z| >= |z|) for a standard normal Z (vectorised; NaN stays NaN)."""
    return np.minimum(1.0, 2 * one_sided_p(np.abs(np.asarray(z, dtype=float))))


def score_z(events, trials, reference: float, method: str) -> np.ndarray:
    """Score statistic of an observed rate against a fixed reference rate (proportion 0..1 or rate per unit).

    wilson: z = (x − n p₀) / √(n p₀ (1 − p₀)) (the test the Wilson interval inverts);
    poisson: z = (x − n r₀) / √(n r₀). NaN without counts.
    """
    x = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = reference * (1 - reference) if method == "wilson" else reference
        z = (x - n * reference) / np.sqrt(n * spread)
    return np.where((n > 0) & np.isfinite(x) & (spread > 0), z, np.nan)


def change_variance(x_now, n_now, x_before, n_before, factor: float, phi: float = 1.0) -> np.ndarray:
    """Sampling variance of the change of a rate (value = x/n * factor) between two years.

    Binomial variance of each year's proportion, the two years treated as independent, inflated by
    the dispersion factor φ (≥ 1) of the counts. NaN without counts.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.asarray(x_now, dtype=float) / np.asarray(n_now, dtype=float)
        p0 = np.asarray(x_before, dtype=float) / np.asarray(n_before, dtype=float)
        # a proportion of 0 or 1 has no binomial variance; half a case keeps the variance honest
        p1 = np.clip(p1, 0.5 / np.asarray(n_now, dtype=float), 1 - 0.5 / np.asarray(n_now, dtype=float))
        p0 = np.clip(p0, 0.5 / np.asarray(n_before, dtype=float), 1 - 0.5 / np.asarray(n_before, dtype=float))
        variance = factor**2 * max(phi, 1.0) * (p1 * (1 - p1) / n_now + p0 * (1 - p0) / n_before)
    return np.where(np.isfinite(variance) & (variance > 0), variance, np.nan)


def shrinkage(deviation, variance) -> tuple[np.ndarray, float]:
    """Empirical Bayes shrinkage of observed deviations d_i with known sampling variances v_i.

    Model: d_i = θ_i + e_i, θ_i ~ N(0, τ²), e_i ~ N(0, v_i). τ² by the method of moments
    (mean of d² minus mean of v, at least 0); the posterior mean is B_i d_i with
    B_i = τ² / (τ² + v_i). Returns (shrunk deviations, τ²). NaN stays NaN.
    """
    d = np.asarray(deviation, dtype=float)
    v = np.asarray(variance, dtype=float)
    ok = np.isfinite(d) & np.isfinite(v)
    if ok.sum() < 3:
        return np.full(d.shape, np.nan), math.nan
    tau2 = max(0.0, float(np.mean(d[ok] ** 2) - np.mean(v[ok])))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(ok, tau2 / (tau2 + v), np.nan) if tau2 > 0 else np.where(ok, 0.0, np.nan)
    return d * factor, tau2


def pooled_dispersion(
    series_by_area: list[tuple[np.ndarray, np.ndarray, np.ndarray]], proportion: bool = True
) -> float:
    """Median over areas of the Pearson dispersion φ around each area's linear trend (at least 1).

    The year-to-year wobble of an Ortsteil's counts beyond binomial noise (moves of families, new
    housing, changes in counting) is noise for the dynamics; the median over Ortsteile is robust
    against the few Ortsteile with a real break.
    """
    values = [dispersion(t, x, n, proportion) for t, x, n in series_by_area if len(t) >= 4]
    values = [v for v in values if np.isfinite(v)]
    return max(1.0, float(np.median(values))) if values else 1.0


def mann_kendall_min_p(n: int) -> float:
    """The smallest two-sided p the exact Mann–Kendall test can reach with n values (no ties)."""
    if n < 2:
        return 1.0
    return min(1.0, 2 / math.factorial(n)) if n <= 10 else 0.0
