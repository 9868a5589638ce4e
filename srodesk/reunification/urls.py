from django.urls import path

from srodesk.core import registry

from . import views

app_name = "reunification"

EVENT = "reunification-events/<int:pk>"

urlpatterns = [
    path("reunification-events/start/", views.event_start, name="event_start"),
    path(f"{EVENT}/counts/", views.event_counts, name="event_counts"),
    path(f"{EVENT}/not-released/", views.event_students, name="event_students"),
    path(f"{EVENT}/cards/", views.event_checker, name="event_checker"),
    path(f"{EVENT}/runner/", views.event_runner, name="event_runner"),
    path(f"{EVENT}/exceptions/", views.event_exceptions, name="event_exceptions"),
    path(f"{EVENT}/reconciliation/", views.event_reconciliation, name="event_reconciliation"),
    path(f"{EVENT}/close/", views.event_close, name="event_close"),
    path("expected-students/<int:pk>/card/", views.student_card, name="student_card"),
    path("expected-students/<int:pk>/card/issue/", views.card_issue, name="card_issue"),
    path("expected-students/<int:pk>/exception/", views.exception_raise, name="exception_raise"),
    path("reunification-cards/<int:pk>/check/", views.card_check, name="card_check"),
    path("reunification-cards/<int:pk>/bring/", views.card_bring, name="card_bring"),
    path("reunification-cards/<int:pk>/release/", views.card_release, name="card_release"),
    path("reunification-exceptions/<int:pk>/resolve/", views.exception_resolve, name="exception_resolve"),
    *registry.urlpatterns("reunification"),
]
