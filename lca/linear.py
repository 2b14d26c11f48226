"""Results as linear forms over emission factors.

With activity data fixed (masses, distances, effective trips...), every stage
of the model is a sum of ``coefficient x factor``.  Keeping stages in that
form (factor id -> coefficient) gives three things at once:

* exact uncertainty bounds: a linear function over the box of factor ranges
  reaches its minimum when each factor sits at ``low`` if its coefficient is
  positive and at ``high`` if negative.  For "avoided = baseline - reusable" a
  factor used by both sides (e.g. HDPE in the reusable IBC and in the
  composite IBC it replaces) gets its *net* coefficient, so the band does not
  pretend the same factor can be low on one side and high on the other;
* cheap aggregation: N trips are N x the per-trip form plus the summed km
  times the per-km forms;
* an audit trail: the coefficient of each factor is the activity amount
  (kg of HDPE, kWh, tkm, vehicle-km) that multiplies it.
"""

from __future__ import annotations

from typing import Mapping

from .factors import FactorSet

Form = dict[str, float]


def add(into: Form, form: Mapping[str, float], scale: float = 1.0) -> Form:
    """into += scale * form (in place); returns ``into`` for chaining."""
    if scale == 0.0:
        return into
    for fid, coef in form.items():
        into[fid] = into.get(fid, 0.0) + coef * scale
    return into


def combine(*parts: tuple[Mapping[str, float], float]) -> Form:
    out: Form = {}
    for form, scale in parts:
        add(out, form, scale)
    return out


def central(form: Mapping[str, float], fs: FactorSet) -> float:
    return sum(coef * fs.factors[fid].value for fid, coef in form.items())


def bounds(form: Mapping[str, float], fs: FactorSet) -> tuple[float, float]:
    """(low, high) of the form over all factor values within [low, high]."""
    lo = hi = 0.0
    for fid, coef in form.items():
        f = fs.factors[fid]
        if coef >= 0.0:
            lo += coef * f.low
            hi += coef * f.high
        else:
            lo += coef * f.high
            hi += coef * f.low
    return lo, hi
