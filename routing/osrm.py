"""OSRM ``table`` service as a matrix provider.

Uses only urllib so the package stays dependency-free.  One request returns
both annotations; OSRM reports metres and seconds, converted here to km.
Large point sets should be split by the caller or served by an OSRM instance
started with a raised ``--max-table-size``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Sequence

from routing.errors import RoutingError
from routing.matrix import GeoPoint, TravelMatrix


class MatrixProviderError(RuntimeError):
    """The routing backend could not produce a matrix (network, HTTP or payload error)."""


@dataclass(frozen=True)
class OsrmMatrixProvider:
    base_url: str
    profile: str = "driving"
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        parsed = urllib.parse.urlparse(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise RoutingError("base_url", f"not an http(s) URL: {self.base_url!r}")
        if not self.timeout_s > 0:
            raise RoutingError("timeout_s", "must be > 0")

    def table_url(self, points: Sequence[GeoPoint]) -> str:
        # OSRM expects lon,lat (not lat,lon) pairs separated by semicolons.
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        return f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?annotations=distance,duration"

    def build(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        if not points:
            raise RoutingError("points", "no locations given")
        url = self.table_url(points)
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise MatrixProviderError(f"OSRM table request failed with HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise MatrixProviderError(f"OSRM at {self.base_url} unreachable or timed out after {self.timeout_s}s: {exc}") from exc
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise MatrixProviderError("OSRM returned a body that is not JSON") from exc
        if payload.get("code") != "Ok":
            raise MatrixProviderError(f"OSRM error {payload.get('code')}: {payload.get('message', '')}")
        distances, durations = payload.get("distances"), payload.get("durations")
        if distances is None or durations is None:
            raise MatrixProviderError("OSRM response lacks distances or durations (annotations not supported?)")
        n = len(points)
        if len(distances) != n or len(durations) != n:
            raise MatrixProviderError(f"OSRM returned {len(distances)}x? matrix for {n} points")
        for i, row in enumerate(distances):
            for j, v in enumerate(row):
                if v is None:
                    # OSRM uses null for pairs it cannot route between (e.g. islands).
                    raise MatrixProviderError(f"OSRM found no route from {points[i].location_id} to {points[j].location_id}")
        dist_km = tuple(tuple(v / 1000.0 for v in row) for row in distances)
        dur_s = tuple(tuple(float(v) for v in row) for row in durations)
        return TravelMatrix(tuple(p.location_id for p in points), dist_km, dur_s)
