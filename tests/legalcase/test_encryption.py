"""Personal data encrypted at rest (issue 21 item 2): raw columns, lookups, the migration, key rotation."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from config.env import SettingError, env_field_keys
from legalcase import crypto
from legalcase.models import Asset, Debt, DemandRecord, Matter, Party, PartyPhone, Role
from legalcase.services.search import party_keys_refresh
from legalcase.services.encryption import encrypted_models, keys_in_use
from tests.factories import escalation_body, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

OLD = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()
OTHER = base64.b64encode(b"x" * 32).decode()


def keys(*raw: str) -> dict:
    """Settings of FIELD_ENCRYPTION_KEYS and the digest keys derived from them, as settings.py derives them."""
    decoded = [base64.b64decode(key) for key in raw]
    return {
        "FIELD_ENCRYPTION_KEYS": decoded,
        "SEARCH_DIGEST_KEYS": [hmac.new(key, b"fasu search digest", hashlib.sha256).hexdigest() for key in decoded],
    }


def raw_values(model, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(model._meta.db_table)}")
        return [row[0] for row in cursor.fetchall()]


def every_raw_text() -> str:
    """Every encrypted table's whole rows, as the database returns them (a dump would hold the same)."""
    parts = []
    with connection.cursor() as cursor:
        for model, _fields in encrypted_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            parts += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(parts)


def test_the_raw_columns_hold_no_clear_identity_number_phone_account_or_address():
    # One escalation through the API (COPY on PostgreSQL) and one matter through the ORM.
    counsel = make_user(Role.COUNSEL)
    client = APIClient()
    client.force_authenticate(counsel)
    body = escalation_body()
    assert client.post("/api/v1/escalations/", body, format="json").status_code == 201
    matter = make_matter(owner=counsel)
    party = matter.debt.debtor
    Asset.objects.create(
        matter=matter, owner=party, kind="vehicle", description="小型轿车", identifier="京A12345",
        source="creditor", found_on=dt.date(2025, 1, 3), note="车停放于北京市朝阳区建国路88号",
    )
    DemandRecord.objects.create(debt=matter.debt, date=dt.date(2025, 1, 2), channel="phone", note="拨打13800000001无人接听")

    clear = [
        body["debtor"]["id_number"], body["debtor"]["phone"], body["account_number"], body["debtor"]["address"],
        body["guarantors"][0]["id_number"], party.id_number, party.phone, party.address,
        matter.debt.account_number, "京A12345", "13800000001", "建国路88号",
    ]
    raw = every_raw_text()
    assert [value for value in clear if value in raw] == []
    for model, fields in encrypted_models():
        for field in fields:
            assert all(value in ("", None) or value.startswith(crypto.current_prefix()) for value in raw_values(model, field.column)), (model, field)
    # Through the ORM everything reads as it was written.
    assert Party.objects.get(pk=party.pk).address == "北京市朝阳区建国路88号"
    escalated = Matter.objects.exclude(pk=matter.pk).get()
    assert escalated.debt.account_number == body["account_number"]
    assert escalated.debt.account_last4 == body["account_number"][-4:]
    assert escalated.debt.debtor.phone == body["debtor"]["phone"]


def test_exact_lookups_go_through_the_digests_and_other_lookups_are_refused():
    matter = make_matter()
    party, debt = matter.debt.debtor, matter.debt
    party_keys_refresh(party_ids=[party.pk])
    assert Party.objects.get(id_number=party.id_number) == party
    assert list(Party.objects.filter(id_number__in=[party.id_number, "110105198503070000"])) == [party]
    assert Debt.objects.get(account_number=debt.account_number) == debt
    assert Matter.objects.filter(debt__account_number__in=[debt.account_number]).get() == matter
    assert PartyPhone.objects.get(number=party.phone).party == party
    assert not Party.objects.filter(id_number="110105198503070000").exists()
    # The matter list's search: the account, its last four digits, the identity number, the phone.
    for q in (debt.account_number, debt.account_number[-4:], party.id_number, party.phone):
        assert list(Matter.objects.search(q)) == [matter], q
    with pytest.raises(FieldError):
        list(Party.objects.filter(address__icontains="朝阳"))
    with pytest.raises(FieldError, match="no digest"):
        list(Party.objects.filter(address="北京市朝阳区建国路88号"))


def test_a_changed_number_moves_its_digest_and_last_four():
    matter = make_matter()
    debt = matter.debt
    debt.account_number = "6225889999990001"
    debt.save(update_fields=["account_number"])
    assert Debt.objects.get(account_number="6225889999990001").account_last4 == "0001"
    assert list(Matter.objects.search("0001")) == [matter]


def test_the_migration_encrypts_clear_rows_and_fills_their_digests():
    from importlib import import_module

    migration = import_module("legalcase.migrations.0029_encrypt_existing_rows")
    party = make_party()
    with connection.cursor() as cursor:  # as 0028 leaves a row: clear values, no digest
        cursor.execute(
            "UPDATE legalcase_party SET id_number = %s, address = %s, id_number_digest = '' WHERE id = %s",
            ["110105198503079999", "上海市浦东新区世纪大道1号", party.pk],
        )
    columns, derived = migration.TABLES["legalcase_party"]
    migration.rewrite_rows(connection, table="legalcase_party", columns=columns, derived=derived, forward=True)
    again = migration.rewrite_rows(connection, table="legalcase_party", columns=columns, derived=derived, forward=True)

    assert again == 1  # only the digest written again: encrypted values are left alone
    row = Party.objects.get(id_number="110105198503079999")
    assert row.pk == party.pk and row.address == "上海市浦东新区世纪大道1号"
    assert "世纪大道" not in every_raw_text()


def test_rotation_reencrypts_in_batches_and_reads_the_old_key_meanwhile(capsys):
    with override_settings(**keys(OLD)):
        matter = make_matter()
        party_id, id_number = matter.debt.debtor_id, matter.debt.debtor.id_number
        party_keys_refresh(party_ids=[party_id])
        old_prefix = crypto.current_prefix()
    with override_settings(**keys(NEW, OLD)):
        # Before rotation: written under the old key, read and found under either.
        assert Party.objects.get(pk=party_id).id_number == id_number
        assert Party.objects.get(id_number=id_number).pk == party_id
        assert list(Matter.objects.search(id_number)) == [matter]
        assert keys_in_use()["legalcase.Party"] == 1
        with pytest.raises(CommandError, match="older key"):
            call_command("rotate_keys", "--check")

        call_command("rotate_keys", "--batch", "1")

        out = capsys.readouterr().out
        assert "legalcase.Party: 1 / 1 rows re-encrypted" in out and "No older key is in use." in out
        assert keys_in_use() == {}
        assert not any(value.startswith(old_prefix) for value in raw_values(Party, "id_number"))
        call_command("rotate_keys")  # nothing left: runs again and exits 0
    with override_settings(**keys(NEW)):
        # The old key dropped: values and digests are under the new one.
        assert Party.objects.get(id_number=id_number).pk == party_id
        assert list(Matter.objects.search(id_number)) == [matter]
        assert list(Matter.objects.search(matter.debt.debtor.phone)) == [matter]


def test_a_value_under_an_unlisted_key_is_refused_naming_the_key_id():
    with override_settings(**keys(OTHER)):
        party = make_party()
        other_id = crypto.current_key_id()
    with override_settings(**keys(NEW)):
        with pytest.raises(crypto.DecryptionError, match=other_id):
            Party.objects.get(pk=party.pk)
        with pytest.raises(CommandError, match=f"key id {other_id}"):
            call_command("rotate_keys")


def test_a_tampered_value_or_clear_text_is_refused():
    token = crypto.encrypt("110105198503071234")
    assert crypto.decrypt(token) == "110105198503071234"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
    assert token != crypto.encrypt("110105198503071234")  # a fresh nonce each time
    with pytest.raises(crypto.DecryptionError, match="damaged"):
        crypto.decrypt(token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:])
    forged = crypto.PREFIX + "00000000" + token[len(crypto.PREFIX) + 8 :]
    with pytest.raises(crypto.DecryptionError, match="00000000"):
        crypto.decrypt(forged)
    with pytest.raises(crypto.DecryptionError, match="not encrypted"):
        crypto.decrypt("110105198503071234")


@pytest.mark.parametrize(
    "environ, debug, message",
    [
        ({}, False, "must be set when DEBUG=0"),
        ({"FIELD_ENCRYPTION_KEYS": "not base64!"}, True, "key 1 is not base64"),
        ({"FIELD_ENCRYPTION_KEYS": f"{NEW},{base64.b64encode(b'short').decode()}"}, False, "key 2 is 5 bytes, not 32"),
        ({"FIELD_ENCRYPTION_KEYS": f"{NEW},{NEW}"}, False, "key 2 is listed twice"),
    ],
)
def test_bad_or_missing_keys_stop_the_start(environ, debug, message):
    with pytest.raises(SettingError, match=message) as error:
        env_field_keys(environ, debug=debug)
    assert error.value.name == "FIELD_ENCRYPTION_KEYS"


def test_a_first_run_gets_the_fixed_development_key_and_production_takes_the_list_in_order():
    assert env_field_keys({}, debug=True) == [hashlib.sha256(b"fasu development field key, not secret").digest()]
    assert env_field_keys({"FIELD_ENCRYPTION_KEYS": f" {NEW} , {OLD}"}, debug=False) == [b"n" * 32, b"o" * 32]
