-- The graph API: heads, branches, current, history ranges, show, graph.
CREATE EXTENSION migrate;
\i test/sql/refusal.sql

-- Empty catalog.
SELECT count(*) AS heads FROM migrate.heads();
SELECT count(*) AS history FROM migrate.history();
SELECT count(*) AS current FROM migrate.current();

-- A branch (a1 -> b2, a1 -> c3 on label "feature"), a merge (d4), a second
-- root with its own label, and a revision on it that depends on d4.
SELECT migrate.revision('a1000', '{}', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'create t1');
SELECT migrate.revision('b2000', '{a1000}', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', 'create t2');
SELECT migrate.revision('c3000', '{a1000}', 'CREATE TABLE t3 (id int)', 'DROP TABLE t3', 'create t3', '{feature}');
SELECT migrate.revision('c3001', '{c3000}', 'ALTER TABLE t3 ADD v text', 'ALTER TABLE t3 DROP v', 'add v');
SELECT migrate.revision('d4000', '{b2000,c3001}', '', NULL, 'merge feature');
SELECT migrate.revision('e5000', '{d4000}', 'CREATE TABLE t5 (id int)', 'DROP TABLE t5', 'create t5');
SELECT migrate.revision('f6000', '{}', 'CREATE SCHEMA audit', 'DROP SCHEMA audit', 'audit schema', '{audit}');
SELECT migrate.revision('f6001', '{f6000}', 'CREATE TABLE audit.log (id int)', 'DROP TABLE audit.log', 'audit log', depends_on => '{d4000}');

SELECT * FROM migrate.heads();
SELECT migrate.heads() AS heads_in_select_list;
SELECT * FROM migrate.branches();

-- history(): newest first, with flags; labels shown are the ones in force.
SELECT * FROM migrate.history();
-- Ranges, as alembic history -r.
SELECT revision FROM migrate.history('a1000:d4000');
SELECT revision FROM migrate.history('c3000:');
SELECT revision FROM migrate.history(':b2000');
SELECT revision FROM migrate.history('feature@head:');
SELECT revision FROM migrate.history('c300:e5000');
SELECT revision FROM migrate.history('base:audit@head');
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('a1000')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('a:b:c')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('b2000:c3000')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('nope:')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history(':head')$$);
-- Ranges no one types: too long (22023, before parsing), a step beyond a
-- bigint (22003), errors quoting at most 200 bytes.
SELECT pg_temp.refusal($$SELECT * FROM migrate.history(repeat('a', 30000) || '+1:')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('-9223372036854775808:')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history(':c3000+99999999999999999999')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history(repeat('b', 700) || ':')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history(repeat(':', 600))$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('é:')$$);
-- Blanks around the range go (Python's str.strip()), blanks inside stay.
SELECT revision FROM migrate.history(E' \t\x1cc3000:\n');
SELECT pg_temp.refusal($$SELECT * FROM migrate.history('c3000 :')$$);

-- show(): by id, prefix, label@head, several heads, base.
SELECT revision, down_revisions, depends_on, branch_labels, message, upgrade_sql, downgrade_sql, transactional,
       length(checksum) AS checksum_length, created_at IS NOT NULL AS has_created_at, is_head, is_applied
FROM migrate.show('c3000');
SELECT revision FROM migrate.show('e5');
SELECT revision FROM migrate.show('feature@head');
SELECT revision FROM migrate.show('audit@head');
SELECT revision FROM migrate.show('heads') ORDER BY 1;
SELECT count(*) AS base_is_nothing FROM migrate.show('base');
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('c300')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('zz')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('nope@head')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('feature@b2000')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('head')$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show(NULL)$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show(repeat('s', 2000))$$);
SELECT pg_temp.refusal($$SELECT * FROM migrate.show('-9223372036854775808')$$);

-- current(): what `alembic current` prints, the heads of the applied branches
-- (here the rows themselves); applied = the rows and all they stand on.
-- (The engine issue moves the version; here it is set by hand.)
INSERT INTO migrate.version VALUES ('c3001'), ('b2000');
SELECT * FROM migrate.current();
SELECT revision, is_current, is_applied FROM migrate.history();
SELECT revision FROM migrate.history('current:');
SELECT revision FROM migrate.history(':current');
SELECT revision FROM migrate.show('current') ORDER BY 1;
SELECT revision, is_applied FROM migrate.show('d4000');

-- graph(): Graphviz DOT with heads and applied revisions marked.
SELECT migrate.graph();

-- A version row naming an unknown revision is reported, not ignored.
INSERT INTO migrate.version VALUES ('ghost');
SELECT pg_temp.refusal($$SELECT * FROM migrate.history()$$);
DELETE FROM migrate.version;

DROP EXTENSION migrate;
