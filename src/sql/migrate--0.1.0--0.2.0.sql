-- migrate 0.1.0 -> 0.2.0. Every change to the installed SQL in 0.2.0 goes here
-- AND into migrate--0.2.0.sql (the fresh install); test/shell/extension_update_test.sh
-- proves that an updated 0.1.0 install equals a fresh 0.2.0 one.
\echo Use "ALTER EXTENSION migrate UPDATE TO '0.2.0'" to load this file. \quit
