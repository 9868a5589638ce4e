from srodesk.core import registry

from . import disclosure_urls, import_urls

app_name = "people"

urlpatterns = [
    *disclosure_urls.urlpatterns,
    *import_urls.urlpatterns,
    *registry.urlpatterns("people"),
]
