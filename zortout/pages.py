"""What one read of GetProducts hands back: a page."""

from dataclasses import dataclass

__all__ = ["ProductPage"]


@dataclass(frozen=True)
class ProductPage:
    """One page of GetProducts.

    ``rows`` are :class:`~zortout.client.ProductRow` objects; for a ``skulist``
    read only rows whose SKU equals a requested SKU are kept, while ``served``
    counts every row Zortout sent. ``count`` is Zortout's total for the filter
    as this answer stated it (None when it sent none); it may change from page
    to page while products come and go.

    ``last`` is True when no page after this one holds rows: the rows read up
    to here reach ``count``, or the page came back short with no count to
    compare, or the page stayed short of ``count`` with nothing after it (see
    :meth:`zortout.client.ZortoutClient.fetch_page`). In that last case
    ``count_mismatch`` is how many rows ``count`` promised that no page held;
    it is 0 otherwise.
    """

    rows: tuple
    count: int | None
    page: int
    limit: int
    served: int
    last: bool
    count_mismatch: int = 0
