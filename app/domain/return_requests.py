"""The statuses of a customer's return (pickup) request.

open -> planned (a collection plan put it on a route) -> collected, or cancelled (by
the customer while not yet planned), or unserved (the last plan could not serve it; the
next plan for a fitting day retries it). The values are stored (return_requests.status)
and shown in the API.
"""
from __future__ import annotations

from enum import StrEnum


class ReturnRequestStatus(StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    UNSERVED = "unserved"


# Waiting for a truck: the planner takes these, and the customer may still cancel them.
PENDING = (ReturnRequestStatus.OPEN, ReturnRequestStatus.UNSERVED)
# Not yet collected nor cancelled: collect scans count toward these.
WAITING = (ReturnRequestStatus.OPEN, ReturnRequestStatus.PLANNED, ReturnRequestStatus.UNSERVED)
