from . import zortout_warehouse_wizard
from . import zortout_warehouse_code_change
from . import zortout_warehouse_code_test
from . import zortout_product_import
