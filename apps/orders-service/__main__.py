"""An app stack: it never sees a password in plaintext, it passes the secret along."""

import pulumi

config = pulumi.Config()
accounts = pulumi.StackReference(config.get("accountsStack") or "organization/db-accounts/local")

orders_app = accounts.require_output("rds").apply(lambda rds: rds["orders_app"])
# A stack output holding any secret comes back wholly secret; only the password needs to stay so.
public = pulumi.Output.unsecret

pulumi.export("database", {
    "username": public(orders_app.apply(lambda a: a["username"])),
    "endpoint": public(orders_app.apply(lambda a: a["endpoint"])),
    "password": pulumi.Output.secret(orders_app.apply(lambda a: a["password"])),
})
pulumi.export("dsn", pulumi.Output.secret(orders_app.apply(
    lambda a: f"mysql://{a['username']}:{a['password']}@{a['endpoint']}/orders")))
