from . import ir_config_parameter
from . import marketplace_account
from . import marketplace_job
from . import marketplace_job_page
from . import marketplace_job_line
from . import product_template
from . import stock_move
