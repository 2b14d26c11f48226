"""SQLAlchemy models. Import from here so Alembic sees every table."""
from .assets import Anomaly, Asset, CustodyMove, ScanEvent, Trip
from .auth import ApiToken, User
from .base import Base, utcnow
from .catalog import AssetType, Customer, Site

__all__ = [
    "Anomaly", "Asset", "AssetType", "ApiToken", "Base", "Customer", "CustodyMove",
    "ScanEvent", "Site", "Trip", "User", "utcnow",
]
