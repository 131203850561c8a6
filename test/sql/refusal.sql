\set ECHO none
-- Runs a statement and prints how it failed: SQLSTATE, message, DETAIL, HINT.
-- Included by the regression suites (\i) so every error path shows its SQLSTATE.
CREATE FUNCTION pg_temp.refusal(statement text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  state text; msg text; det text; hnt text;
BEGIN
  EXECUTE statement;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  RETURN state || ': ' || msg
         || coalesce(E'\n  DETAIL: ' || nullif(det, ''), '')
         || coalesce(E'\n  HINT: ' || nullif(hnt, ''), '');
END
$fn$;
\set ECHO all
