"""A local stand-in for the Zortout Open API v4, for tests and demos."""

from .catalogue import DEFAULT_WAREHOUSES, DROP, QUANTITY_FORMATS, Catalogue
from .drift import SHIFT_ACTIONS, DriftPlan
from .faults import FAULT_KINDS, FaultPlan
from .server import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_STORE_NAME,
    DETAIL_ENVELOPES,
    EMPTY_LIST_SHAPES,
    QUOTA_NOTICE,
    SKULIST_IN_WAREHOUSE,
    SKULIST_MODES,
    UNKNOWN_WAREHOUSE_MODES,
    WAREHOUSE_FILTERS,
    SandboxServer,
)

__all__ = [
    "Catalogue", "DROP", "DEFAULT_WAREHOUSES", "FaultPlan", "FAULT_KINDS", "DriftPlan", "SHIFT_ACTIONS",
    "SandboxServer", "DEFAULT_STORE_NAME", "DEFAULT_API_KEY", "DEFAULT_API_SECRET", "QUOTA_NOTICE",
    "UNKNOWN_WAREHOUSE_MODES", "SKULIST_MODES", "WAREHOUSE_FILTERS", "SKULIST_IN_WAREHOUSE", "EMPTY_LIST_SHAPES",
    "DETAIL_ENVELOPES", "QUANTITY_FORMATS",
]
