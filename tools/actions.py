"""Window actions the addon opens from its buttons."""

__all__ = ["open_in_dialog"]


def open_in_dialog(record, name):
    """The action that shows ``record`` (one record) in its form view, in a dialog titled ``name``."""
    record.ensure_one()
    return {
        "type": "ir.actions.act_window",
        "name": name,
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "views": [(False, "form")],
        "target": "new",
    }
