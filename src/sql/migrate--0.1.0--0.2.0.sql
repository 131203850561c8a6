-- migrate 0.1.0 -> 0.2.0. Every change to the installed SQL in 0.2.0 goes here
-- AND into migrate--0.2.0.sql (the fresh install); test/shell/extension_update_test.sh
-- proves that an updated 0.1.0 install equals a fresh 0.2.0 one.
--
-- migrate is trusted (migrate.control): when a database owner runs ALTER
-- EXTENSION migrate UPDATE, this script runs as the bootstrap superuser with
-- schema migrate, which that owner may have filled with objects of its own,
-- on search_path right after pg_catalog. So call functions as pg_catalog.f(),
-- use only operators whose operand types match a pg_catalog operator exactly
-- (or write OPERATOR(pg_catalog.+)), and no CREATE OR REPLACE / IF NOT EXISTS
-- on objects that are not members already. test/shell/trusted_install_test.sh
-- plants such decoys and fails if one runs or is baked into a definition.
-- Add your statements ABOVE the grant block at the end (it grants the owner
-- every member that exists when it runs).
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

CREATE FUNCTION migrate.lint(target text DEFAULT 'head')
RETURNS TABLE (revision text, statement integer, line integer, rule text, severity text, object text,
               message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint' LANGUAGE C STABLE;
CREATE FUNCTION migrate.fingerprint() RETURNS TABLE (kind text, name text, definition text)
AS 'MODULE_PATHNAME', 'migrate_fingerprint' LANGUAGE C STABLE;
CREATE FUNCTION migrate.drift() RETURNS TABLE (kind text, name text, change text, detail text)
AS 'MODULE_PATHNAME', 'migrate_drift' LANGUAGE C STABLE;

-- Issue 11: CALL migrate.run() gains direction and at_gate, migrate.stamp()
-- takes several targets, migrate.plan() says which runner each step needs and
-- which backfills gate it. A new signature (or result type) is a new
-- function: the roles granted EXECUTE on the old run() and stamp() get it on
-- the new ones (plan() is PUBLIC's, as before).
CREATE TABLE migrate.routine_grants_0_2_0 AS
SELECT CASE WHEN p.oid OPERATOR(pg_catalog.=) 'migrate.run(text)'::pg_catalog.regprocedure THEN 'run' ELSE 'stamp' END
         AS routine,
       a.grantee::pg_catalog.regrole::pg_catalog.text AS grantee, a.is_grantable
FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY['migrate.run(text)'::pg_catalog.regprocedure,
                                              'migrate.stamp(text)'::pg_catalog.regprocedure]::pg_catalog.oid[])
  AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) 0
  AND a.grantee OPERATOR(pg_catalog.<>) p.proowner;

DROP PROCEDURE migrate.run(text);
CREATE PROCEDURE migrate.run(target text DEFAULT 'head', direction text DEFAULT 'upgrade', at_gate text DEFAULT 'run')
AS 'MODULE_PATHNAME', 'migrate_run' LANGUAGE C;
REVOKE EXECUTE ON PROCEDURE migrate.run(text, text, text) FROM PUBLIC;

DROP FUNCTION migrate.stamp(text);
CREATE FUNCTION migrate.stamp(VARIADIC targets text[]) RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_stamp_targets' LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION migrate.stamp(text[]) FROM PUBLIC;

DROP FUNCTION migrate.plan(text, text);
CREATE FUNCTION migrate.plan(target text, direction text DEFAULT 'upgrade')
RETURNS TABLE (step bigint, revision text, message text, sql text, version_rows text[], runner text,
               gated_by text[])
AS 'MODULE_PATHNAME', 'migrate_plan' LANGUAGE C STABLE;

-- The grants carried to new signatures and tables (above, and issue 12's:
-- revision() and the fingerprint tables), all here. GRANTs in an extension
-- script are recorded as the objects' initial privileges (pg_init_privs),
-- which pg_dump leaves out: the initial privileges a fresh install records
-- are put back afterwards, so that carried grants are the deployer's own and
-- survive a dump and restore.
CREATE TABLE migrate.carried_objects_0_2_0 AS
SELECT v.classoid, v.objoid FROM (VALUES
  ('pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid,
   'migrate.revision(text, text[], text, text, text, text[], text[], boolean, text[], interval, interval, text[])'::pg_catalog.regprocedure::pg_catalog.oid),
  ('pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, 'migrate.run(text, text, text)'::pg_catalog.regprocedure::pg_catalog.oid),
  ('pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, 'migrate.stamp(text[])'::pg_catalog.regprocedure::pg_catalog.oid),
  ('pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, 'migrate.schema_fingerprint'::pg_catalog.regclass::pg_catalog.oid),
  ('pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, 'migrate.schema_fingerprint_state'::pg_catalog.regclass::pg_catalog.oid))
  AS v(classoid, objoid);
CREATE TABLE migrate.init_privs_0_2_0 AS
SELECT i.classoid, i.objoid, i.objsubid, i.initprivs
FROM pg_catalog.pg_init_privs i JOIN migrate.carried_objects_0_2_0 o
  ON i.classoid OPERATOR(pg_catalog.=) o.classoid AND i.objoid OPERATOR(pg_catalog.=) o.objoid;

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

DO $carry_routine_grants$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT r.routine, r.grantee, r.is_grantable FROM migrate.routine_grants_0_2_0 r LOOP
    EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO %s%s',
                              CASE g.routine WHEN 'run' THEN 'migrate.run(text, text, text)'
                                             ELSE 'migrate.stamp(text[])' END,
                              g.grantee, CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
END
$carry_routine_grants$;
DROP TABLE migrate.routine_grants_0_2_0;
DELETE FROM pg_catalog.pg_init_privs i USING migrate.carried_objects_0_2_0 o
WHERE i.classoid OPERATOR(pg_catalog.=) o.classoid AND i.objoid OPERATOR(pg_catalog.=) o.objoid;
INSERT INTO pg_catalog.pg_init_privs (objoid, classoid, objsubid, privtype, initprivs)
SELECT s.objoid, s.classoid, s.objsubid, 'e', s.initprivs FROM migrate.init_privs_0_2_0 s;
DROP TABLE migrate.carried_objects_0_2_0, migrate.init_privs_0_2_0;

-- migrate.rehearse() (issue 12, docs/proving.md): the upgrade to target run
-- for real inside a subtransaction that is always rolled back; per statement
-- its duration, the locks it took, the relations it rewrote, its rows. It
-- runs revision SQL with the caller's rights and holds its locks while it
-- runs: for the roles an owner grants it to, as upgrade() is.
CREATE FUNCTION migrate.rehearse(target text DEFAULT 'head')
RETURNS TABLE (revision text, statement integer, sql text, duration interval, locks text[], rewritten text[],
               rows bigint, note text)
AS 'MODULE_PATHNAME', 'migrate_rehearse' LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION migrate.rehearse(text) FROM PUBLIC;
-- check_roundtrip (issue 12): the stairway test, all of it rolled back. It
-- runs the revisions' SQL (and takes their locks) until its rollback: not
-- PUBLIC's. Roles that deploy are granted it by the owner (docs/sql.md).
CREATE FUNCTION migrate.check_roundtrip(target text DEFAULT 'head')
RETURNS TABLE (revision text, ok boolean, difference text)
AS 'MODULE_PATHNAME', 'migrate_check_roundtrip' LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION migrate.check_roundtrip(text) FROM PUBLIC;

-- The owner of a trusted install (a non-superuser: the objects above belong
-- to the bootstrap superuser) may use and grant what a deployer needs:
-- EXECUTE on every function and procedure; SELECT, INSERT, UPDATE and DELETE
-- on the tables; SELECT on the views; USAGE, SELECT and UPDATE on the
-- sequences; all WITH GRANT OPTION. Never ownership, TRIGGER, REFERENCES or
-- TRUNCATE: it cannot redefine these objects or hook code of its own into
-- what other roles run. Keep this block last, here and in
-- migrate--0.1.0--0.2.0.sql: it grants on every member that exists when it runs.
DO $grant_owner$
DECLARE
  ext oid;
  owner oid;
  member record;
  kind "char";
BEGIN
  SELECT e.oid, e.extowner INTO ext, owner FROM pg_catalog.pg_extension e WHERE e.extname = 'migrate';
  IF owner = (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'migrate.revisions'::pg_catalog.regclass::pg_catalog.oid) THEN
    RETURN; -- installed by the objects' owner: nothing to grant
  END IF;
  FOR member IN
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
    WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid AND d.refobjid = ext AND d.deptype = 'e'
  LOOP
    IF member.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid THEN
      EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO %I WITH GRANT OPTION',
                                member.objid::pg_catalog.regprocedure, pg_catalog.pg_get_userbyid(owner));
    ELSIF member.classid = 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid THEN
      kind := (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = member.objid);
      EXECUTE pg_catalog.format(CASE kind WHEN 'r' THEN 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %s TO %I WITH GRANT OPTION'
                                          WHEN 'v' THEN 'GRANT SELECT ON TABLE %s TO %I WITH GRANT OPTION'
                                          WHEN 'S' THEN 'GRANT USAGE, SELECT, UPDATE ON SEQUENCE %s TO %I WITH GRANT OPTION' END,
                                member.objid::pg_catalog.regclass, pg_catalog.pg_get_userbyid(owner));
    END IF;
  END LOOP;
END
$grant_owner$;
