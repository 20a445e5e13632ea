"""A test program: one AlternatingAccounts pair on RDS; rotation.json (beside it) sets the
on-demand counter and, optionally, a schedule (period in hours and its start)."""

import json
import pathlib
from datetime import datetime, timedelta

import pulumi

from provisioner import AlternatingAccounts, RdsAccountArgs
from provisioner.rotation import EPOCH

settings = json.loads((pathlib.Path(__file__).parent / "rotation.json").read_text())
period = timedelta(hours=settings["period_hours"]) if settings.get("period_hours") else None
start = datetime.fromisoformat(settings["start"]) if settings.get("start") else EPOCH
pair = AlternatingAccounts("orders", RdsAccountArgs(instance_id="rm-localmysql80", name="orders",
                                                    privileges={"orders": "ReadWrite"}),
                           rotation_period=period, rotation_start=start, rotation=settings.get("rotation", 0))
pulumi.export("orders", pair.active)
