-- The demo: a small revision graph with a branch and a merge, as a team
-- coming from Alembic would have it after two people worked in parallel.
\set ON_ERROR_STOP on
\pset footer off
CREATE EXTENSION IF NOT EXISTS migrate;
\o /dev/null

SELECT migrate.revision('001_initial_schema', '{}',
  $$CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)$$,
  $$DROP TABLE users$$, 'initial schema');
SELECT migrate.revision('20260204_01_add_content', '{001_initial_schema}',
  $$CREATE TABLE content (id bigint PRIMARY KEY, user_id bigint REFERENCES users, body text)$$,
  $$DROP TABLE content$$, 'add content');
-- Two branches fork from here: analytics (labelled) and favorites.
SELECT migrate.revision('20260215_02_add_analytics', '{20260204_01_add_content}',
  $$CREATE TABLE analytics_interactions (id bigint PRIMARY KEY, content_id bigint REFERENCES content, kind text)$$,
  $$DROP TABLE analytics_interactions$$, 'add analytics interactions', branch_labels => '{analytics}');
SELECT migrate.revision('9b2a6f9e5c1d', '{20260204_01_add_content}',
  $$CREATE TABLE content_favorites (user_id bigint REFERENCES users, content_id bigint REFERENCES content,
                                    PRIMARY KEY (user_id, content_id))$$,
  $$DROP TABLE content_favorites$$, 'add content favorites');

\o
\echo '== two heads: Alembic would say "Multiple heads are present"'
SELECT * FROM migrate.heads();
\echo '== the branch point'
SELECT * FROM migrate.branches();

-- The merge revision joins them (Alembic's `alembic merge heads`).
\o /dev/null
SELECT migrate.revision('20260221_01_merge', '{20260215_02_add_analytics,9b2a6f9e5c1d}', '', NULL, 'merge analytics and favorites');
SELECT migrate.revision('20260221_02_add_fts', '{20260221_01_merge}',
  $$CREATE INDEX content_fts ON content USING gin (to_tsvector('english', body))$$,
  $$DROP INDEX content_fts$$, 'add content full text search');

\o
\echo '== one head again'
SELECT * FROM migrate.heads();
\echo '== history, newest first'
SELECT revision, down_revisions, branch_labels, message, is_head, is_branch_point, is_merge_point
FROM migrate.history();
\echo '== alembic history -r 20260204:20260221_01 (prefixes work)'
SELECT revision, message FROM migrate.history('20260204:20260221_01');
\echo '== what upgrading to the merge would run'
SELECT step, revision, sql FROM migrate.plan('20260221_01_merge');
\echo '== upgrade to the merge, in this transaction'
SELECT revision, direction, message FROM migrate.upgrade('20260221_01_merge');
SELECT * FROM migrate.current();
\echo '== history, with what is applied'
SELECT revision, is_head, is_current, is_applied FROM migrate.history();
\echo '== the graph (Graphviz DOT; scripts/demo renders it to docs/graph.png)'
SELECT migrate.graph();
