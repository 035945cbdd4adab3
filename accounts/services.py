from __future__ import annotations

from accounts.models import User

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The actor recorded for work done by tasks, commands and imports (never a real login)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"full_name": "系统", "is_system": True, "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
