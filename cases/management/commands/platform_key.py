from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from accounts.services import system_user
from cases.online import platform_client_issue


class Command(BaseCommand):
    help = (
        "Issue an API key for a partner platform that files online applications "
        "(POST /api/v1/online-applications/, header 'Authorization: Api-Key <key>'). "
        "The key is printed once; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The platform's name, e.g. 北京工会网上调解平台")
        parser.add_argument(
            "--organization",
            action="append",
            required=True,
            help="Code of an organisation it may file into (repeatable; covers its sub-organisations).",
        )

    def handle(self, *args: object, **options: object) -> None:
        codes = list(options["organization"])  # type: ignore[call-overload]
        organizations = list(Organization.objects.filter(code__in=codes, active=True))
        missing = sorted(set(codes) - {org.code for org in organizations})
        if missing:
            raise CommandError(f"unknown or inactive organisation code(s): {', '.join(missing)}")
        client, key = platform_client_issue(actor=system_user(), name=str(options["name"]), organizations=organizations)
        self.stdout.write(f"platform #{client.pk} {client.name}: {key}")
        self.stdout.write("Keep this key now: it is not stored and cannot be shown again.")
