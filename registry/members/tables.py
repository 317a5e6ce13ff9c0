"""Members of organizations. A member is known by `sub` (the e-mail address by default; an identity
provider's subject where one is used): a token or session with that `sub` in that organization is
that member. One member per `sub` and organization (a unique index, created by the migration)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

from registry.organizations.tables import Organization


class Member(Table, tablename="member"):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=False, index=True)
    sub = Varchar(length=200)
    email = Varchar(length=320)
    name = Varchar(length=200)
    role = Varchar(length=32)  # employer_admin | steward | auditor
    units = JSON(null=True, default=None)  # a steward limited to units: their ids
    title = Varchar(length=64, null=True, default=None)  # TR, AMR, ...
    language = Varchar(length=8)
    created_at = Timestamptz()
    created_by = Varchar(length=200)
    updated_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    digest = Varchar(length=8, null=True, default=None)  # none | daily | weekly; None: the role's default
    # The end of the period the member's last digest covered (sent, or skipped as quiet); None: never.
    digest_until = Timestamptz(null=True, default=None)
    # The secrets in the member's feed URLs and in their digests' unsubscribe link (made on first use;
    # rotating the feeds replaces `feed_secret`). Neither works on the API.
    feed_secret = Varchar(length=64, null=True, default=None)
    unsubscribe_secret = Varchar(length=64, null=True, default=None)


__all__ = ["Member"]
