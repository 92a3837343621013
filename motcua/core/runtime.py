"""What a serving process does once Django and every app are loaded (docs/adr/0034).

`process_started()` runs once per web worker (`config.wsgi`) and per Celery worker process
(`config.celery`, on `worker_process_init`): after a full collection it freezes what is
loaded (`gc.freeze`), so the collector's full passes no longer walk the ~200,000 objects of
Django, the apps, their URL patterns, templates and translations, which never become garbage.
A full pass came every 200-300 signed receipts and cost ~100 ms: 0.4 ms a receipt.
`MOTCUA_GC_FREEZE=false` turns it off.
"""

from __future__ import annotations

import gc
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def process_started() -> int:
    """Freeze the objects loaded so far out of the collector's view; answers how many are
    frozen (0 when switched off). Safe to call again (what was loaded since is frozen too)."""
    if not settings.MOTCUA_GC_FREEZE:
        return 0
    gc.collect()  # garbage made while loading is freed, not kept for ever
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.debug("process started: %d objects out of the collector's passes", frozen)
    return frozen
