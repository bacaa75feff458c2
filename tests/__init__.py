from . import test_install
from . import test_zortout_client
from . import test_zortout_sandbox
from . import test_pull_stock
from . import test_sync_rules
from . import test_monitor_scripts
from . import test_jobs
