from . import ir_config_parameter
from . import marketplace_account
from . import marketplace_job
