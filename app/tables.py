"""Every package's tables on one `Base.metadata`: import `Base` from here (Alembic, tests)
so no table is missing because its package was not imported yet."""
from app.accounts import models as _accounts  # noqa: F401
from app.assets import models as _assets  # noqa: F401
from app.balances import models as _balances  # noqa: F401
from app.billing import models as _billing  # noqa: F401
from app.catalog import models as _catalog  # noqa: F401
from app.certificates import models as _certificates  # noqa: F401
from app.pickups import models as _pickups  # noqa: F401
from app.planning import models as _planning  # noqa: F401
from app.platform.base import Base
from app.scanning import models as _scanning  # noqa: F401
from app.statements import models as _statements  # noqa: F401
from app.webhooks import models as _webhooks  # noqa: F401

__all__ = ["Base"]
