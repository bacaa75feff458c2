"""A local stand-in for the Zortout Open API v4, for tests and demos."""

from .catalogue import DEFAULT_WAREHOUSES, DROP, Catalogue
from .faults import FAULT_KINDS, FaultPlan
from .server import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_STORE_NAME,
    QUOTA_NOTICE,
    UNKNOWN_WAREHOUSE_MODES,
    SandboxServer,
)

__all__ = [
    "Catalogue", "DROP", "DEFAULT_WAREHOUSES", "FaultPlan", "FAULT_KINDS", "SandboxServer",
    "DEFAULT_STORE_NAME", "DEFAULT_API_KEY", "DEFAULT_API_SECRET", "QUOTA_NOTICE", "UNKNOWN_WAREHOUSE_MODES",
]
