"""The web app's accounts database: organisations, accounts, sessions, own-data overlays,
shared views, invitations, partners and the audit log.

Not the store's DuckDB file: these tables (``_schema.sql``, all named ``web_*``) live in a
file of their own next to it (``STORE.web.duckdb``) or in PostgreSQL. They sit in the store
package because the store owns every schema and every query: no SQL outside
``veerkracht/store/``.

* :mod:`.database` – where the tables live (DuckDB or PostgreSQL), the schema and its
  upgrades, copying the tables of an older store;
* :mod:`.repo` – organisations, accounts, sessions, overlays and shared views;
* :mod:`.organisation` – invitations, partner organisations, roles and the audit log.
"""
