from . import base_url
from . import joblog
from . import sync_result
from . import stock_sync
