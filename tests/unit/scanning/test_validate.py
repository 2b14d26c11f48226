"""One scan to `ScanIn` or `Rejection`: the fast path answers exactly as the schema does."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.domain.states import EventType
from app.platform.config import TIMESTAMP_MAX_DEFAULT, TIMESTAMP_MIN_DEFAULT
from app.scanning.validate import Limits, Rejection, ScanIn, _fast_load, parse

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)
LIMITS = Limits(TIMESTAMP_MIN_DEFAULT, TIMESTAMP_MAX_DEFAULT, NOW, 300)  # the schema's bounds outside an app
AI_VALUE = "040123451234561001"


def plain(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "code": f"(8003){AI_VALUE}", "event": "check", "site": "depot-a",
            "occurred_at": "2026-09-01T08:00:00+02:00", **fields}


ODD_CHARS = ["a", "-", "é", ":", " ", "8", "\x00", "\x1d", "\t", "\n", "\r", "\x7f", "\x9f", "\ud800"]
ODD = st.sampled_from(ODD_CHARS)
# near every limit of the schema (40 for site and customer, 64 for device, 200 for code)
LONG = st.builds(lambda n, c: c * n, st.sampled_from([0, 1, 39, 40, 41, 63, 64, 65, 199, 200, 201]),
                 st.sampled_from(["a", "é", "\x1d", "\x00"]))
ONE_ODD = st.tuples(st.sampled_from(["", "depot", "7"]), ODD, st.sampled_from(["", "-a"])).map("".join)
TEXT = st.one_of(ONE_ODD, st.text(alphabet=ODD, max_size=6), LONG, st.sampled_from(["depot-a", "acme", "acme-site"]))
JSON = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT,
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))
CODE = st.one_of(st.sampled_from([AI_VALUE, f"(8003){AI_VALUE}", f"https://id.example/8003/{AI_VALUE}",
                                  "urn:epc:id:grai:4012345.12345.1001", f"]Q38003{AI_VALUE}\x1d10LOT7\r\n",
                                  "crate-7", "urn:epc:id:sgtin:1.2.3", "040123451234561000"]),
                 st.builds(lambda t: "x" + t, TEXT), JSON)
SCAN_ID = st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.uuids().map(lambda u: u.hex),
                    st.uuids().map(lambda u: "{" + u.hex + "}--"), st.uuids().map(lambda u: f"urn:uuid:{u}"),
                    st.text(alphabet="0123456789abcdefg-", min_size=36, max_size=36), JSON)
OFFSET = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
TIME = st.one_of(
    st.datetimes(datetime(1999, 12, 31), datetime(2100, 1, 2), timezones=OFFSET).map(datetime.isoformat),
    st.datetimes(datetime(2026, 9, 1, 11), datetime(2026, 9, 1, 13), timezones=OFFSET).map(datetime.isoformat),
    st.sampled_from(["2026-09-01T08:00:00Z", "2026-09-01 08:00:00+00:00", "2026-09-01T08:00:00", "20260901T080000Z",
                     "2026-W36-1T08:00:00+00:00", "2026-09-01T08:00:00.123+0100", "2026-09-01T08:00:00,5+00:00",
                     "1999-12-31T23:59:59.999999+00:00", "2000-01-01T00:59:59+01:00", "2100-01-01T00:00:00+00:00",
                     "2100-01-01T00:00:00.000001+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                     "2026-09-01T12:05:00+00:00", "2026-09-01T12:05:01+00:00", "2026-13-01T08:00:00+00:00"]),
    JSON)
EVENT = st.one_of(st.sampled_from([e.label for e in EventType]), st.sampled_from(["Issue", "issue ", "", "ship"]), JSON)
ANY = {"id": SCAN_ID, "code": CODE, "event": EVENT, "site": TEXT, "occurred_at": TIME,
       "customer": st.one_of(st.none(), TEXT, JSON), "device": st.one_of(st.none(), TEXT, JSON), "note": JSON,
       "Site": TEXT}
GOOD_TEXT = st.one_of(st.sampled_from(["depot-a", "acme", "é-1"]), st.integers(1, 40).map(lambda n: "s" * n))
GOOD = {"id": st.uuids().map(str), "code": CODE.filter(lambda c: isinstance(c, str) and not c.startswith("x")),
        "event": st.sampled_from([e.label for e in EventType]), "site": GOOD_TEXT,
        "occurred_at": st.datetimes(datetime(2000, 1, 2), datetime(2099, 12, 31), timezones=OFFSET)
        .map(datetime.isoformat)}


@st.composite
def scans(draw) -> dict:
    """A well-formed scan with up to three keys dropped or set to anything."""
    raw = draw(st.fixed_dictionaries(GOOD, optional={"customer": GOOD_TEXT, "device": GOOD_TEXT}))
    for key in draw(st.lists(st.sampled_from(sorted(ANY)), max_size=3, unique=True)):
        if draw(st.integers(0, 3)) == 0:
            raw.pop(key, None)
        else:
            raw[key] = draw(ANY[key])
    return raw


ITEM = st.one_of(scans(), JSON)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ITEM)
@example(plain())
@example(plain(event=[]))
@example(plain(event={"a": 1}))
@example(plain(customer=None, device=None))
def test_fast_path_and_schema_answer_alike(raw):
    assert parse(raw, LIMITS) == parse(raw, LIMITS, fast=False)


ONE_FIELD = [(key, value) for key in ("code", "site", "customer", "device", "event")
             for value in [*ODD_CHARS, *("depot" + c for c in ODD_CHARS),
                           *("8" * n for n in (0, 1, 39, 40, 41, 63, 64, 65)),
                           "é" * 200, "é" * 201, None, 7, 7.5, True, [], {}, ["a"]]]


def test_fast_path_and_schema_answer_alike_on_each_field_alone():
    """Every character class and length around each limit, one field at a time."""
    for key, value in ONE_FIELD:
        raw = plain(**{key: value})
        assert parse(raw, LIMITS) == parse(raw, LIMITS, fast=False), (key, value)
    raw = plain(extra=1)
    assert parse(raw, LIMITS) == parse(raw, LIMITS, fast=False)


def test_a_plain_scan_takes_the_fast_path():
    raw = plain(customer="acme", device="hand-1")
    assert _fast_load(raw, LIMITS) is not None
    scan = parse(raw, LIMITS)
    assert isinstance(scan, ScanIn)
    assert (scan.scan_id, scan.event, scan.lookup) == (raw["id"], EventType.CHECK, ("code", AI_VALUE))
    assert scan.occurred_at == datetime(2026, 9, 1, 6, 0, tzinfo=timezone.utc)


def test_an_event_that_is_not_text_is_rejected_naming_it():
    """A list or an object where the event name belongs is refused like any other bad value."""
    for event in ([], {"a": 1}, 7):
        raw = plain(event=event)
        assert _fast_load(raw, LIMITS) is None
        rejection = parse(raw, LIMITS)
        assert isinstance(rejection, Rejection)
        assert (rejection.field, rejection.scan_id) == ("event", raw["id"])


def test_a_scan_from_the_future_is_rejected_with_the_server_time():
    raw = plain(occurred_at="2026-09-01T12:05:01+00:00")
    assert parse(raw, LIMITS) == Rejection("occurred_at", "2026-09-01T12:05:01+00:00 is in the future "
                                                          "(server time 2026-09-01T12:00:00+00:00)", raw["id"])
    assert isinstance(parse({**raw, "occurred_at": "2026-09-01T12:05:00+00:00"}, LIMITS), ScanIn)


def test_a_rejection_keeps_the_id_as_sent():
    assert parse(plain(id="not-a-uuid"), LIMITS) == Rejection("id", "Not a valid UUID.", "not-a-uuid")
    assert parse(["a"], LIMITS) == Rejection("", "each scan must be a JSON object")
    upper = str(uuid.uuid4()).upper()
    assert parse(plain(id=upper, code="?"), LIMITS).scan_id == upper.lower()  # read as a UUID first
