"""Encrypt the personal data already stored (issue 21, item 2), a batch per transaction.

Plain SQL through Django's cursor (the same on SQLite and PostgreSQL), so the clear
values are read as they are; a value that already reads ``e1:`` is left alone, so a run
that stopped half-way is taken up where it was by running ``migrate`` again. The digests
and the last four characters are filled from the clear values, and the search table
(``SearchKey``) is digested again under the current keys (the default digest keys now
come from FIELD_ENCRYPTION_KEYS). Reversing decrypts.
"""

from django.db import migrations, transaction

BATCH = 2_000

# table: (encrypted columns, {derived column: (source column, deriver)}), as of this migration.
TABLES = {
    "legalcase_party": (
        ("id_number", "phone", "address", "habitual_residence", "service_address"),
        {"id_number_digest": ("id_number", "digest:id_number")},
    ),
    "legalcase_partyphone": (("number",), {"number_digest": ("number", "digest:phone")}),
    "legalcase_debt": (
        ("account_number",),
        {"account_digest": ("account_number", "digest:account"), "account_last4": ("account_number", "last4")},
    ),
    "legalcase_asset": (("identifier", "note"), {}),
    "legalcase_demandrecord": (("note",), {}),
    "legalcase_servicerecord": (("note",), {}),
    "legalcase_settlement": (("hardship",), {}),
}


def rewrite_rows(connection, *, table: str, columns, derived: dict, forward: bool) -> int:
    """Encrypt (or decrypt) one table's columns by id batches; returns the rows rewritten."""
    from legalcase import crypto
    from legalcase.fields import deriver

    quote = connection.ops.quote_name
    names = [*columns, *derived]
    select = f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)} WHERE id > %s ORDER BY id"
    update = f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in names)} WHERE id = %s"
    last, rewritten = 0, 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"{select} LIMIT {BATCH}", [last])
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            changes = []
            for pk, *values in rows:
                clear = [crypto.decrypt(v) if crypto.is_encrypted(v) else (v or "") for v in values]
                by_name = dict(zip(columns, clear))
                if forward:
                    stored = [v if crypto.is_encrypted(v) else crypto.encrypt(v or "") for v in values]
                else:
                    stored = clear
                if stored == list(values) and not derived:
                    continue
                if forward:
                    tail = [deriver(how)(by_name[source]) for source, how in derived.values()]
                else:
                    tail = ["" for _ in derived]
                changes.append([*stored, *tail, pk])
            cursor.executemany(update, changes)
            rewritten += len(changes)
            last = rows[-1][0]


def _refresh_search_keys(apps):
    from legalcase.services.search import keys_refresh

    Party = apps.get_model("legalcase", "Party")
    PartyPhone = apps.get_model("legalcase", "PartyPhone")
    SearchKey = apps.get_model("legalcase", "SearchKey")
    sources = {"id_number": [(Party, "pk", "id_number")], "phone": [(Party, "pk", "phone"), (PartyPhone, "party_id", "number")]}
    ids = list(Party.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        with transaction.atomic():
            keys_refresh(party_ids=ids[start : start + 5000], sources=sources, key_model=SearchKey)


def encrypt_rows(apps, schema_editor):
    for table, (columns, derived) in TABLES.items():
        rewrite_rows(schema_editor.connection, table=table, columns=columns, derived=derived, forward=True)
    _refresh_search_keys(apps)


def decrypt_rows(apps, schema_editor):
    for table, (columns, derived) in TABLES.items():
        rewrite_rows(schema_editor.connection, table=table, columns=columns, derived=derived, forward=False)


class Migration(migrations.Migration):

    # A batch per transaction: a long run can stop and be taken up again.
    atomic = False

    dependencies = [
        ("legalcase", "0028_encrypted_fields"),
    ]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows)]
