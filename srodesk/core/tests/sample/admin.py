from django.contrib import admin

from srodesk.core.admin import RecordAdmin

from .models import SampleCase

admin.site.register(SampleCase, RecordAdmin)
