"""What a paged GetProducts read hands back: one page, or a whole sweep."""

from dataclasses import dataclass

__all__ = ["ProductPage", "ProductSweep"]


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


@dataclass(frozen=True)
class ProductSweep:
    """Every page of a GetProducts read (all ``skulist`` batches included).

    ``rows`` are in the order served; the same Zortout product can appear
    twice when rows shifted between pages (tell it by ``ProductRow.zortout_id``).
    ``count_mismatch`` adds up the pages' mismatches (0 when every ``count``
    held). ``count_changed`` is True when ``count`` differed between two pages
    of the same read: products were added or removed while it ran, so a row may
    have been served twice or not at all.
    """

    rows: list
    pages: int
    count_mismatch: int = 0
    count_changed: bool = False
