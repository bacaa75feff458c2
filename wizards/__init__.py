from . import zortout_warehouse_wizard
