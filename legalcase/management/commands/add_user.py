"""``python manage.py add_user USERNAME --role ROLE [--firm FIRM_NAME] [--password PW]``."""

from getpass import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from legalcase.models import LawFirm, Role, User


class Command(BaseCommand):
    help = (
        "Create a user with a role: counsel, lawyer, manager or admin. An outside lawyer needs "
        "--firm (the firm is created if it does not exist yet); without --password, asks for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="counsel, lawyer, manager or admin")
        parser.add_argument("--firm", default=None, help="the law firm's name (outside lawyers only)")
        parser.add_argument("--password", default=None, help="the password; asked twice when left out")

    @no_translations
    def handle(self, *args, username: str, role: str, firm: str | None, password: str | None, **options):
        username = username.strip()
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}: use one of {', '.join(Role.values)}.")
        firm_name = (firm or "").strip()
        if role == Role.LAWYER and not firm_name:
            raise CommandError("An outside lawyer (role lawyer) needs --firm FIRM_NAME.")
        if role != Role.LAWYER and firm is not None:
            raise CommandError(f"--firm is only for outside lawyers (role lawyer), not for role {role!r}.")
        try:
            User.username_validator(username)
        except ValidationError:
            raise CommandError(f"Invalid username {username!r}: use letters, digits and @/./+/-/_ only.") from None
        if not username or len(username) > User._meta.get_field("username").max_length:
            raise CommandError("A username has 1 to 150 characters.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")

        user = User(username=username, role=role, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
        if password is None:
            password = self._ask_password()
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise CommandError("Weak password: " + " ".join(exc.messages)) from None
        user.set_password(password)

        with transaction.atomic():
            created_firm = False
            if role == Role.LAWYER:
                user.firm, created_firm = LawFirm.objects.get_or_create(name=firm_name)
            user.save()
        detail = f"role {role}"
        if user.firm is not None:
            detail += f", firm {user.firm.name}" + (" (new firm created)" if created_firm else "")
        if role == Role.ADMIN:
            detail += ", Django admin access"
        self.stdout.write(self.style.SUCCESS(f"Created user {username!r} ({detail})."))

    def _ask_password(self) -> str:
        first = getpass("Password: ")
        second = getpass("Password (again): ")
        if first != second:
            raise CommandError("The two passwords do not match.")
        if not first:
            raise CommandError("The password cannot be empty.")
        return first
