"""The kinds of job the queue runs, each in a module of its own (see registry.py).

Adding a kind: a module here with a JobType subclass, and one ``register`` line below.
"""

from .instant_sync import InstantSync
from .product_import import ProductImport
from .registry import JobType, job_type_of, register, registered, unregister
from .stock_sync import StockSync

__all__ = ["JobType", "job_type_of", "register", "registered", "unregister"]

register(StockSync())
register(InstantSync())
register(ProductImport())
