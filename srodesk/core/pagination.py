from rest_framework.pagination import LimitOffsetPagination


class RecordPagination(LimitOffsetPagination):
    """``?limit=&offset=``; its own module because DRF imports it while loading its generic views."""

    default_limit = 50
    max_limit = 500
