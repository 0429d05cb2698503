"""Create an SMS gateway for court notices, or give it a new token: ``manage.py court_notice_gateway NAME``.

The token is printed once; Fasu keeps only its SHA-256. The gateway then posts to
``/api/v1/court-notices/webhook/NAME/`` with ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from legalcase.models import SmsGateway
from legalcase.services.court_notices import sms_gateway_issue


class Command(BaseCommand):
    help = "Create an SMS gateway for court notices (or issue a new token); prints the token once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the gateway's name, letters, digits, - and _")
        parser.add_argument("--disable", action="store_true", help="stop accepting the gateway's messages")

    def handle(self, *args, name: str, disable: bool, **options):
        if disable:
            if not SmsGateway.objects.filter(name=name).update(active=False):
                raise CommandError(f"no gateway named {name!r}")
            self.stdout.write(f"gateway {name} disabled")
            return
        try:
            gateway, token = sms_gateway_issue(name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"gateway {gateway.name}: POST /api/v1/court-notices/webhook/{gateway.name}/")
        self.stdout.write(f"Authorization: Bearer {token}")
