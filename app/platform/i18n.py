"""The languages of pages, page messages and PDFs: English (the source) and Simplified Chinese.

Flask-Babel with the catalogs in app/translations/ (the .po files are committed, the
.mo files compiled by `scripts/translations.sh compile`, which scripts/setup-venv.sh
runs; docs/operations.md has the whole cycle). The language of a request, first found:

1. `?lang=` in the URL: this request only (links into the public verification page);
2. the signed-in user's setting (`users.locale`; app/web tells how to find the user);
3. the choice made in this browser with the language switcher (the `lang` cookie);
4. the browser's Accept-Language, by its primary language: `zh`, `zh-CN` and `zh-TW`
   all mean Chinese, which this service has in Simplified characters only;
5. the `DEFAULT_LOCALE` setting (`en`).

The API answers in English whatever the request's language; only what is rendered for
a person (pages, their error pages, PDFs) is translated.

The formatting helpers are also the Jinja filters `day`, `minute`, `decimal`, `percent`
and `money` (for amounts, which the pages do not show yet). English keeps the look the pages always had (ISO dates, 24-hour
times, `12.3 %`); other locales use Babel's patterns. Counts are printed as plain
integers in every language, as in the CSV exports and the API, so a number on a page
can be found in an export.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from babel import dates, numbers
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import Babel, get_locale, lazy_gettext, lazy_pgettext, ngettext  # noqa: F401  (re-exported)
from flask_babel import gettext as _  # noqa: F401  (re-exported: modules that translate import from here)

log = logging.getLogger(__name__)

# Primary language subtag -> the catalog's locale. Babel names Simplified Chinese
# zh_Hans_CN (it resolves zh_CN to that), and so must the catalog's folder.
LOCALES = {"en": "en", "zh": "zh_Hans_CN"}
ENGLISH, CHINESE = LOCALES["en"], LOCALES["zh"]
# The BCP 47 tag browsers and screen readers expect in <html lang>.
HTML_LANG = {ENGLISH: "en", CHINESE: "zh-CN"}
# Each language named in itself, as a language switcher shows it.
NAMES = {ENGLISH: "English", CHINESE: "简体中文"}
COOKIE = "lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
QUERY = "lang"

# English keeps ISO dates and 24-hour times; other locales take Babel's medium date.
DAY_FORMAT = {ENGLISH: "yyyy-MM-dd"}
MINUTE_FORMAT = {ENGLISH: "yyyy-MM-dd HH:mm"}
PERCENT_FORMAT = {ENGLISH: "#,##0.0 %"}


def normalise(tag: str | None) -> str | None:
    """The locale the service speaks for a language tag (`zh-CN`, `zh_Hans_CN`, `en-GB`,
    `ZH`), or None."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return LOCALES.get(primary)


def init_app(app: Flask) -> None:
    default = normalise(app.config["SETTINGS"].default_locale)
    if default is None:
        raise RuntimeError(f"DEFAULT_LOCALE must name one of {sorted(LOCALES)}, "
                           f"got {app.config['SETTINGS'].default_locale!r}")
    app.config["BABEL_DEFAULT_LOCALE"] = default
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    app.extensions["i18n_user_locale"] = lambda: None
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.update(day=day, minute=minute, decimal=decimal, percent=percent, money=money)
    app.jinja_env.globals.update(html_lang=html_lang, current_locale=current, language_names=NAMES,
                                  language_tags=HTML_LANG)


def use_user_locale(app: Flask, lookup: Callable[[], str | None]) -> None:
    """How to find the signed-in user's language setting (None: follow the browser)."""
    app.extensions["i18n_user_locale"] = lookup


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # a CLI command or a job: the service's default
        return default
    chosen = normalise(request.args.get(QUERY)) or normalise(_user_locale()) or normalise(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:  # best first
        if normalise(tag):
            return normalise(tag)
    return default


def _user_locale() -> str | None:
    try:
        return current_app.extensions["i18n_user_locale"]()
    except Exception:  # e.g. the database is down: the error page still renders, in the browser's language
        log.warning("the user's language could not be read", exc_info=True)
        return None


def current() -> str:
    """The active locale (`en` or `zh_Hans_CN`); the default outside a request."""
    if not has_app_context():
        return ENGLISH
    locale = get_locale()
    return normalise(str(locale)) if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    return HTML_LANG[current()]


def is_chinese() -> bool:
    return current() == CHINESE


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    loc = current()
    return dates.format_date(value, DAY_FORMAT.get(loc, "medium"), locale=loc)


def minute(value: datetime | None) -> str:
    """Date and time to the minute, in the value's own time zone (pages say which)."""
    if value is None:
        return ""
    loc = current()
    pattern = MINUTE_FORMAT.get(loc) or (f"{dates.get_date_format('medium', loc).pattern} "
                                         f"{dates.get_time_format('short', loc).pattern}")
    return dates.format_datetime(value, pattern, locale=loc)


def relabel(label: str, english_format: str, skeleton: str) -> str:
    """A date label made with strftime(english_format) in English (`01 Sep`, `Sep 2026`),
    written as the active locale writes Babel's `skeleton` (`MMMd`: `9月1日`)."""
    if current() == ENGLISH:
        return label
    if "%Y" not in english_format:  # a leap year, so that 29 Feb parses
        label, english_format = f"{label} 2000", f"{english_format} %Y"
    return dates.format_skeleton(skeleton, datetime.strptime(label, english_format), locale=current())


def decimal(value: float | Decimal | None, digits: int = 1) -> str:
    """Grouped, with `digits` decimals; rounded as Python's format() rounds, so English
    reads exactly as `"{:,.1f}"` did."""
    if value is None:
        return "–"
    rounded = Decimal(f"{value:.{digits}f}")
    return numbers.format_decimal(rounded, "#,##0" + ("." + "0" * digits if digits else ""), locale=current())


def percent(share: float | None) -> str:
    """A share (0.123) as a percentage with one decimal (`12.3 %`, `12.3%`)."""
    if share is None:
        return "–"
    loc = current()
    rounded = Decimal(f"{share * 100:.1f}") / 100
    return numbers.format_percent(rounded, PERCENT_FORMAT.get(loc, "#,##0.0%"), locale=loc)


def money(amount: Decimal, currency: str) -> str:
    """An amount with its currency for the active locale (`€1,234.50`, `¥1,234.50`... as Babel has it)."""
    return numbers.format_currency(amount, currency, locale=current())
