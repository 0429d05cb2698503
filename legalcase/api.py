from rest_framework.pagination import PageNumberPagination


class MatterPagination(PageNumberPagination):
    page_size = 50
