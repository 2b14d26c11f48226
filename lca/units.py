"""Units and factor categories.

Every emission factor belongs to exactly one category, and every category is
used by the calculator in exactly one way (multiplied by a mass in kg, an
energy in kWh, a volume in m3, a freight activity in tonne-km or a vehicle
distance in vehicle-km).  Pinning the unit per category lets the loader reject
a factor whose unit does not match how it will be used -- the classic error is
a per-tonne value (kg CO2e/t) pasted where a per-kilogram value is expected,
which silently inflates a result a thousandfold.
"""

from __future__ import annotations

KG_CO2E_PER_KG = "kg CO2e/kg"
KG_CO2E_PER_T = "kg CO2e/t"
KG_CO2E_PER_KWH = "kg CO2e/kWh"
KG_CO2E_PER_MWH = "kg CO2e/MWh"
KG_CO2E_PER_M3 = "kg CO2e/m3"
KG_CO2E_PER_L = "kg CO2e/l"
KG_CO2E_PER_TKM = "kg CO2e/tkm"
KG_CO2E_PER_VKM = "kg CO2e/vkm"

# Units the loader recognises at all.  Some are recognised only so that the
# error message can say "right quantity, wrong scale" instead of "unknown".
KNOWN_UNITS = frozenset(
    {
        KG_CO2E_PER_KG,
        KG_CO2E_PER_T,
        KG_CO2E_PER_KWH,
        KG_CO2E_PER_MWH,
        KG_CO2E_PER_M3,
        KG_CO2E_PER_L,
        KG_CO2E_PER_TKM,
        KG_CO2E_PER_VKM,
    }
)

# category -> the only unit the calculator accepts for it.
CATEGORY_UNITS = {
    "material": KG_CO2E_PER_KG,  # x mass_kg of packaging material
    "end_of_life": KG_CO2E_PER_KG,  # x mass_kg of waste
    "chemical": KG_CO2E_PER_KG,  # x detergent_kg
    "electricity": KG_CO2E_PER_KWH,  # x energy_kwh
    "water": KG_CO2E_PER_M3,  # x water volume in m3 (water_l / 1000)
    "freight_tkm": KG_CO2E_PER_TKM,  # x mass_t * distance_km
    "freight_vkm": KG_CO2E_PER_VKM,  # x vehicle distance_km
}

# Hints for the most common scale mistakes, shown in validation errors.
_CONVERSION_HINTS = {
    (KG_CO2E_PER_T, KG_CO2E_PER_KG): "divide the value by 1000 to get kg CO2e/kg",
    (KG_CO2E_PER_MWH, KG_CO2E_PER_KWH): "divide the value by 1000 to get kg CO2e/kWh",
    (KG_CO2E_PER_L, KG_CO2E_PER_M3): "multiply the value by 1000 to get kg CO2e/m3",
}


def unit_problem(category: str, unit: str) -> str | None:
    """Return a human-readable problem with (category, unit), or None if fine."""
    if category not in CATEGORY_UNITS:
        known = ", ".join(sorted(CATEGORY_UNITS))
        return f"unknown category {category!r} (expected one of: {known})"
    if unit not in KNOWN_UNITS:
        return f"unknown unit {unit!r} (expected {CATEGORY_UNITS[category]!r})"
    expected = CATEGORY_UNITS[category]
    if unit != expected:
        hint = _CONVERSION_HINTS.get((unit, expected))
        msg = f"unit {unit!r} is not accepted for category {category!r} (expected {expected!r})"
        return f"{msg}; {hint}" if hint else msg
    return None
