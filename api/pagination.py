from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=2&page_size=100``: 50 rows a page unless asked, 200 at most (a larger
    ``page_size`` gives 200 rows; one that is not a positive number, the default)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
