from . import base_url
from . import joblog
from . import sync_result
from . import matching
from . import readings
from . import inventory
from . import sync_engine
