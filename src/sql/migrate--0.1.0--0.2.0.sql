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
