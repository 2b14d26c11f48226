import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from routing.errors import RoutingError
from routing.matrix import GeoPoint, HaversineMatrixProvider, TravelMatrix, haversine_km
from routing.osrm import MatrixProviderError, OsrmMatrixProvider

POINTS = [GeoPoint("A", 52.52, 13.405), GeoPoint("B", 48.137, 11.575), GeoPoint("C", 50.11, 8.68)]


def test_haversine_known_distance():
    # Berlin - Munich great circle is about 504 km.
    assert haversine_km(52.52, 13.405, 48.137, 11.575) == pytest.approx(504, abs=3)


def test_haversine_provider_applies_circuity_and_speed():
    m = HaversineMatrixProvider(circuity_factor=1.3, speed_kmh=60).build(POINTS)
    straight = haversine_km(52.52, 13.405, 48.137, 11.575)
    assert m.distance_km[0][1] == pytest.approx(1.3 * straight)
    assert m.duration_s[0][1] == pytest.approx(1.3 * straight / 60 * 3600)
    assert m.distance_km[1][1] == 0


@pytest.mark.parametrize(
    "dist",
    [[], [[0, 1], [1]], [[0, 1, 2], [1, 0, 2]]],
    ids=["empty", "ragged", "non-square"],
)
def test_bad_matrices_raise_clear_error(dist):
    with pytest.raises(RoutingError) as err:
        TravelMatrix(("A", "B"), dist, [[0, 1], [1, 0]])
    assert err.value.field == "distance_km"


def test_negative_entry_and_wrong_size_rejected():
    with pytest.raises(RoutingError, match="finite non-negative"):
        TravelMatrix(("A", "B"), [[0, -1], [1, 0]], [[0, 1], [1, 0]])
    with pytest.raises(RoutingError, match="location ids"):
        TravelMatrix(("A",), [[0, 1], [1, 0]], [[0, 1], [1, 0]])


def test_bad_coordinates_and_provider_params():
    with pytest.raises(RoutingError):
        GeoPoint("X", 91.0, 0.0)
    with pytest.raises(RoutingError):
        HaversineMatrixProvider(circuity_factor=0.9)
    with pytest.raises(RoutingError):
        HaversineMatrixProvider().build([])


class _Stub(BaseHTTPRequestHandler):
    mode = "ok"
    seen: list = []

    def do_GET(self):  # noqa: N802
        type(self).seen.append(self.path)
        n = self.path.split("/table/v1/driving/")[1].split("?")[0].count(";") + 1
        if self.mode == "http500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"boom")
            return
        if self.mode == "error":
            body = {"code": "InvalidQuery", "message": "Query string malformed"}
        elif self.mode == "null":
            body = {"code": "Ok", "distances": [[0 if i == j else None for j in range(n)] for i in range(n)],
                    "durations": [[0] * n for _ in range(n)]}
        else:
            body = {"code": "Ok", "distances": [[1000.0 * abs(i - j) for j in range(n)] for i in range(n)],
                    "durations": [[60.0 * abs(i - j) for j in range(n)] for i in range(n)]}
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture()
def osrm_stub():
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    _Stub.mode = "ok"


def test_osrm_table_parsed_to_km_and_seconds(osrm_stub):
    m = OsrmMatrixProvider(osrm_stub, timeout_s=2).build(POINTS)
    assert m.location_ids == ("A", "B", "C")
    assert m.distance_km[0][2] == 2.0
    assert m.duration_s[2][1] == 60.0
    path = _Stub.seen[0]
    assert path.startswith("/table/v1/driving/13.405000,52.520000;11.575000,48.137000")  # lon,lat order
    assert "annotations=distance,duration" in path


@pytest.mark.parametrize("mode,match", [("error", "InvalidQuery"), ("http500", "HTTP 500"), ("null", "no route")])
def test_osrm_errors_are_clear(osrm_stub, mode, match):
    _Stub.mode = mode
    with pytest.raises(MatrixProviderError, match=match):
        OsrmMatrixProvider(osrm_stub, timeout_s=2).build(POINTS)


def test_osrm_unreachable_and_bad_url():
    with pytest.raises(MatrixProviderError, match="unreachable"):
        OsrmMatrixProvider("http://127.0.0.1:9", timeout_s=1).build(POINTS)
    with pytest.raises(RoutingError) as err:
        OsrmMatrixProvider("ftp://x")
    assert err.value.field == "base_url"
