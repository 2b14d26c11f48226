"""SQLAlchemy models. Import from here so Alembic sees every table."""
from .assets import Anomaly, Asset, CustodyMove, CustomerBalance, ScanEvent, Trip
from .auth import ApiToken, User, WebSession
from .base import Base, utcnow
from .catalog import AssetType, Customer, Site
from .certificates import Certificate
from .planning import Plan, ReturnRequest, ReturnRequestCollection

__all__ = [
    "Anomaly", "Asset", "AssetType", "ApiToken", "Base", "Certificate", "Customer", "CustomerBalance", "CustodyMove", "Plan", "ReturnRequest",
    "ReturnRequestCollection",
    "ScanEvent", "Site", "Trip", "User", "WebSession", "utcnow",
]
