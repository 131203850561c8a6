-- migrate 0.1.0 -> 0.2.0. Every change to the installed SQL in 0.2.0 goes here
-- AND into migrate--0.2.0.sql (the fresh install); test/shell/extension_update_test.sh
-- proves that an updated 0.1.0 install equals a fresh 0.2.0 one.
\echo Use "ALTER EXTENSION migrate UPDATE TO '0.2.0'" to load this file. \quit

-- Proving before running (issue 12: migrate.lint(), migrate.fingerprint(), migrate.drift()).
-- A revision may silence lint rules for itself; not part of its checksum.
ALTER TABLE migrate.revisions ADD COLUMN lint_ignore text[] NOT NULL DEFAULT '{}';

-- The schema as the engine's last move left it, for migrate.drift().
CREATE TABLE migrate.schema_fingerprint (
    kind       text NOT NULL,
    name       text NOT NULL,
    definition text NOT NULL
);
CREATE TABLE migrate.schema_fingerprint_state (
    id           integer PRIMARY KEY CHECK (id = 1),
    hash         text NOT NULL,
    recorded_at  timestamptz NOT NULL,
    recorded_by  name NOT NULL,
    version_rows text[] NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('migrate.schema_fingerprint', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.schema_fingerprint_state', '');

-- migrate.revision() gains lint_ignore (appended, defaulted). A new signature
-- is a new function: the roles granted EXECUTE on the old one get it on the
-- new one, and the roles that may move the database (INSERT on
-- migrate.journal) get what recording the schema at each move needs.
CREATE TABLE migrate.grants_to_carry_0_2_0 AS
SELECT a.grantee::pg_catalog.regrole::pg_catalog.text AS grantee, 'revision' AS what
FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
WHERE p.oid OPERATOR(pg_catalog.=) 'migrate.revision(text, text[], text, text, text, text[], text[], boolean, text[], interval, interval)'::pg_catalog.regprocedure
  AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) 0
  AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
UNION
SELECT a.grantee::pg_catalog.regrole::pg_catalog.text, 'journal'
FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
WHERE c.oid OPERATOR(pg_catalog.=) 'migrate.journal'::pg_catalog.regclass
  AND a.privilege_type OPERATOR(pg_catalog.=) 'INSERT' AND a.grantee OPERATOR(pg_catalog.<>) 0
  AND a.grantee OPERATOR(pg_catalog.<>) c.relowner;

DROP FUNCTION migrate.revision(text, text[], text, text, text, text[], text[], boolean, text[], interval, interval);
CREATE FUNCTION migrate.revision(
    id text,
    down_revisions text[],
    upgrade_sql text,
    downgrade_sql text DEFAULT NULL,
    message text DEFAULT '',
    branch_labels text[] DEFAULT '{}',
    depends_on text[] DEFAULT '{}',
    transactional boolean DEFAULT true,
    requires_backfills text[] DEFAULT '{}',
    lock_timeout interval DEFAULT NULL,
    statement_timeout interval DEFAULT NULL,
    lint_ignore text[] DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_revision' LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION migrate.revision(text, text[], text, text, text, text[], text[], boolean, text[], interval, interval, text[]) FROM PUBLIC;

DO $carry$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT grantee, what FROM migrate.grants_to_carry_0_2_0 LOOP
    IF g.what OPERATOR(pg_catalog.=) 'revision' THEN
      EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION migrate.revision(text, text[], text, text, text, text[], '
                                'text[], boolean, text[], interval, interval, text[]) TO %s', g.grantee);
    ELSE
      EXECUTE pg_catalog.format('GRANT SELECT, INSERT, DELETE ON migrate.schema_fingerprint TO %s', g.grantee);
      EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE ON migrate.schema_fingerprint_state TO %s', g.grantee);
    END IF;
  END LOOP;
END
$carry$;
DROP TABLE migrate.grants_to_carry_0_2_0;

CREATE FUNCTION migrate.lint(target text DEFAULT 'head')
RETURNS TABLE (revision text, statement integer, line integer, rule text, severity text, object text,
               message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint' LANGUAGE C STABLE;
CREATE FUNCTION migrate.fingerprint() RETURNS TABLE (kind text, name text, definition text)
AS 'MODULE_PATHNAME', 'migrate_fingerprint' LANGUAGE C STABLE;
CREATE FUNCTION migrate.drift() RETURNS TABLE (kind text, name text, change text, detail text)
AS 'MODULE_PATHNAME', 'migrate_drift' LANGUAGE C STABLE;
