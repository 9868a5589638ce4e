from srodesk.core import registry

app_name = "people"

urlpatterns = [
    *registry.urlpatterns("people"),
]
