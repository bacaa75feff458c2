from . import test_install
from . import test_zortout_client
from . import test_zortout_sandbox
from . import test_pull_stock
