"""The province's clock: the one time zone its calendar dates are read in.

Events carry calendar dates (``*_on``, ``valid_from``, a broadcast's day) that are the
province's days, and every service turns instants into those days the same way, so the zone
is declared here, beside the events whose dates it defines, and imported by each service.
"""

from __future__ import annotations

import datetime

PROVINCE_TZ = datetime.timezone(datetime.timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Viet Nam keeps UTC+07:00 all year (no daylight saving), so a fixed offset is the
Asia/Ho_Chi_Minh zone exactly, with no dependency on the host's tz database."""
