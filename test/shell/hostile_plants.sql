-- Plants trojan objects in schema :plant_schema, generated from the catalog: an
-- exact-match copy of every pg_catalog operator and function that an
-- expression over common types may resolve to, and a domain shadowing each
-- common type name. Run by the (unprivileged) role that owns that schema.
--
-- Why these win: an operator or function call resolves, among every schema on
-- search_path, to the best match; an exact match beats one through an implicit
-- cast or a polymorphic signature wherever its schema is on the path
-- (`numeric * integer`, `text[] @> text[]`, `unnest(text[])`), and between
-- equal matches the schema earlier on the path wins (`hostile, pg_catalog`).
-- Each plant calls :plant_schema.hijacked(what), which bumps the sequence
-- :plant_schema.hits (a rollback does not undo it) and raises a WARNING
-- "HIJACKED: ..." naming itself, then returns what pg_catalog's own returns.
--
-- Variables: plant_schema, plant_functions (comma-separated function names:
-- the ones the engine's SQL uses, and common polymorphic and variadic ones).
\set ON_ERROR_STOP 1
SET search_path = pg_catalog;
SET client_min_messages = warning;
SELECT set_config('plant.schema', :'plant_schema', false),
       set_config('plant.functions', :'plant_functions', false) \gset

CREATE SEQUENCE :"plant_schema".hits;
GRANT USAGE ON SCHEMA :"plant_schema" TO PUBLIC;
GRANT USAGE, UPDATE ON SEQUENCE :"plant_schema".hits TO PUBLIC;

DO $gen$
DECLARE
  s text := current_setting('plant.schema');
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION %1$I.hijacked(what text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $b$
    BEGIN
      PERFORM nextval(%2$L::regclass);
      RAISE WARNING 'HIJACKED: %% ran as %%', what, current_user;
      RETURN true;
    END $b$$f$, s, quote_ident(s) || '.hits');
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.hijacked(text) TO PUBLIC', s);
END
$gen$;

-- Operators: every (name, left, right) over common types that pg_catalog
-- answers, exactly or through a cast or a polymorphic operator.
DO $gen$
DECLARE
  s text := current_setting('plant.schema');
  common regtype[] := '{bool,int2,int4,int8,numeric,float4,float8,text,name,varchar,bpchar,"\"char\"",bytea,oid,xid,xid8,
                        interval,timestamptz,timestamp,date,time,jsonb,json,uuid,regclass,regproc,regtype,pg_lsn,
                        text[],int2[],int4[],int8[],name[],oid[],numeric[],bool[],jsonb[]}';
  c record;
  rt regtype;
  n int := 0;
  sig text;
BEGIN
  FOR c IN
    WITH t(typ) AS (SELECT unnest(common)),
    accepts(want, typ) AS (
      SELECT typ::oid, typ::oid FROM t
      UNION SELECT k.casttarget, t.typ FROM t JOIN pg_cast k ON k.castsource = t.typ AND k.castcontext = 'i'
      UNION SELECT p.oid, t.typ FROM t CROSS JOIN pg_type p
            WHERE p.typname IN ('anyelement', 'anynonarray', 'anycompatible', 'anycompatiblenonarray')
      UNION SELECT p.oid, t.typ FROM t JOIN pg_type a ON a.oid = t.typ AND a.typcategory = 'A'
            CROSS JOIN pg_type p WHERE p.typname IN ('anyarray', 'anycompatiblearray'))
    SELECT DISTINCT o.oprname, o.oprkind, al.typ::regtype AS l, ar.typ::regtype AS r
    FROM pg_operator o
    LEFT JOIN accepts al ON al.want = o.oprleft
    JOIN accepts ar ON ar.want = o.oprright
    WHERE o.oprnamespace = 'pg_catalog'::regnamespace
      AND ((o.oprkind = 'b' AND al.typ IS NOT NULL) OR (o.oprkind = 'l' AND o.oprleft = 0))
    ORDER BY 1, 2, 3, 4
  LOOP
    BEGIN
      IF c.oprkind = 'b' THEN
        EXECUTE format('SELECT pg_typeof(NULL::%s OPERATOR(pg_catalog.%s) NULL::%s)', c.l, c.oprname, c.r) INTO rt;
      ELSE
        EXECUTE format('SELECT pg_typeof(OPERATOR(pg_catalog.%s) NULL::%s)', c.oprname, c.r) INTO rt;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      CONTINUE; -- pg_catalog does not answer this pair
    END;
    IF (SELECT typtype = 'p' FROM pg_type WHERE oid = rt) THEN
      CONTINUE;
    END IF;
    n := n + 1;
    sig := CASE WHEN c.oprkind = 'b' THEN format('%s %s %s', c.l, c.oprname, c.r) ELSE format('%s %s', c.oprname, c.r) END;
    IF c.oprkind = 'b' THEN
      EXECUTE format($f$CREATE FUNCTION %1$I.op_%2$s(%3$s, %4$s) RETURNS %5$s LANGUAGE plpgsql SET search_path = pg_catalog
                      AS $b$BEGIN PERFORM %1$I.hijacked(%6$L); RETURN $1 OPERATOR(pg_catalog.%7$s) $2; END$b$$f$,
                     s, n, c.l, c.r, rt, 'operator ' || sig, c.oprname);
      EXECUTE format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.op_%s)',
                     s, c.oprname, c.l, c.r, s, n);
    ELSE
      EXECUTE format($f$CREATE FUNCTION %1$I.op_%2$s(%3$s) RETURNS %4$s LANGUAGE plpgsql SET search_path = pg_catalog
                      AS $b$BEGIN PERFORM %1$I.hijacked(%5$L); RETURN OPERATOR(pg_catalog.%6$s) $1; END$b$$f$,
                     s, n, c.r, rt, 'operator ' || sig, c.oprname);
      EXECUTE format('CREATE OPERATOR %I.%s (RIGHTARG = %s, FUNCTION = %I.op_%s)', s, c.oprname, c.r, s, n);
    END IF;
  END LOOP;
  RAISE NOTICE 'planted % operators in %', n, s;
END
$gen$;

-- Functions and aggregates: every pg_catalog signature of the named
-- functions, polymorphic and "any" arguments made concrete (text, integer,
-- bigint, numeric and their arrays), variadic ones with one to three
-- arguments. Copies keep the argument names and defaults (named notation
-- such as make_interval(secs => ...) must match them too).
DO $gen$
DECLARE
  s text := current_setting('plant.schema');
  names text[] := string_to_array(current_setting('plant.functions'), ',');
  elems regtype[] := '{text,int4,int8,numeric}';
  p record;
  e regtype;
  argtypes regtype[];
  argdecl text[];
  callargs text[];
  ok boolean;
  ret text;
  k int;
  i int;
  t regtype;
  n int := 0;
  variants int;
  sig text;
  done text[] := '{}';
  body text;
BEGIN
  FOR p IN
    SELECT f.oid, f.proname, f.prokind, f.proretset, f.prorettype::regtype AS rettype, f.provariadic,
           ARRAY(SELECT a::regtype FROM unnest(f.proargtypes) WITH ORDINALITY u(a, o) ORDER BY o) AS args,
           pg_get_function_arguments(f.oid) AS decl
    FROM pg_proc f
    WHERE f.pronamespace = 'pg_catalog'::regnamespace AND f.proname = ANY (names) AND f.prokind IN ('f', 'a')
      AND f.proallargtypes IS NULL
    ORDER BY f.proname, f.oid
  LOOP
    -- One variant per element type when the signature is polymorphic.
    variants := CASE WHEN EXISTS (SELECT FROM unnest(p.args || p.rettype) a JOIN pg_type y ON y.oid = a
                                  WHERE y.typtype = 'p' AND y.typname NOT IN ('void'))
                     THEN array_length(elems, 1) ELSE 1 END;
    FOR vi IN 1 .. variants LOOP
      e := elems[vi];
      FOR k IN 1 .. CASE WHEN p.provariadic = '"any"'::regtype THEN 3 ELSE 1 END LOOP
        argtypes := '{}';
        ok := true;
        FOR i IN 1 .. coalesce(array_length(p.args, 1), 0) LOOP
          t := p.args[i];
          IF t::text IN ('anyelement', 'anynonarray', 'anycompatible', 'anycompatiblenonarray', '"any"') THEN
            t := e;
          ELSIF t::text IN ('anyarray', 'anycompatiblearray') THEN
            t := (SELECT typarray FROM pg_type WHERE oid = e)::regtype;
          ELSIF (SELECT typtype = 'p' FROM pg_type WHERE oid = t) THEN
            ok := false;
          END IF;
          argtypes := argtypes || t;
        END LOOP;
        IF p.provariadic = '"any"'::regtype THEN
          FOR i IN 2 .. k LOOP
            argtypes := argtypes || e;
          END LOOP;
        END IF;
        ret := p.rettype::text;
        IF ret IN ('anyelement', 'anynonarray', 'anycompatible', 'anycompatiblenonarray') THEN
          ret := e::text;
        ELSIF ret IN ('anyarray', 'anycompatiblearray') THEN
          ret := (SELECT typarray FROM pg_type WHERE oid = e)::regtype::text;
        ELSIF ret <> 'void' AND (SELECT typtype = 'p' FROM pg_type WHERE oid = p.rettype) THEN
          ok := false;
        END IF;
        CONTINUE WHEN NOT ok;
        sig := format('%s(%s)', p.proname, array_to_string(argtypes, ', '));
        CONTINUE WHEN sig = ANY (done);
        done := done || sig;
        n := n + 1;
        IF p.prokind = 'a' THEN
          IF coalesce(array_length(argtypes, 1), 0) = 0 THEN -- count(*)
            EXECUTE format($f$CREATE FUNCTION %1$I.agg_%2$s(st bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog
                            AS $b$BEGIN PERFORM %1$I.hijacked(%3$L); RETURN st OPERATOR(pg_catalog.+) 1; END$b$$f$,
                           s, n, 'aggregate ' || p.proname || '(*)');
            EXECUTE format('CREATE AGGREGATE %I.%I(*) (SFUNC = %I.agg_%s, STYPE = bigint, INITCOND = ''0'')',
                           s, p.proname, s, n);
          ELSIF array_length(argtypes, 1) = 1 AND (SELECT typcategory <> 'A' FROM pg_type WHERE oid = argtypes[1]) THEN
            t := argtypes[1];
            EXECUTE format($f$CREATE FUNCTION %1$I.agg_%2$s(st %3$s[], v %3$s) RETURNS %3$s[] LANGUAGE plpgsql
                            SET search_path = pg_catalog
                            AS $b$BEGIN PERFORM %1$I.hijacked(%4$L); RETURN array_append(st, v); END$b$$f$,
                           s, n, t, 'aggregate ' || sig);
            EXECUTE format($f$CREATE FUNCTION %1$I.aggfin_%2$s(st %3$s[]) RETURNS %4$s LANGUAGE sql SET search_path = pg_catalog
                            AS $b$SELECT pg_catalog.%5$I(x) FROM pg_catalog.unnest(st) x$b$$f$,
                           s, n, t, ret, p.proname);
            EXECUTE format($f$CREATE AGGREGATE %1$I.%2$I(%3$s) (SFUNC = %1$I.agg_%4$s, STYPE = %3$s[],
                            FINALFUNC = %1$I.aggfin_%4$s, INITCOND = '{}')$f$, s, p.proname, t, n);
          END IF;
          CONTINUE;
        END IF;
        -- Functions: the declaration as pg_catalog's (names, defaults, VARIADIC)
        -- when nothing was made concrete, else positional.
        IF variants = 1 AND p.provariadic <> '"any"'::regtype THEN
          argdecl := ARRAY[p.decl];
        ELSE
          argdecl := ARRAY(SELECT a::text FROM unnest(argtypes) a);
        END IF;
        callargs := ARRAY(SELECT CASE WHEN j = array_length(argtypes, 1) AND p.provariadic <> 0
                                           AND p.provariadic <> '"any"'::regtype
                                      THEN 'VARIADIC $' || j ELSE '$' || j END
                          FROM generate_series(1, coalesce(array_length(argtypes, 1), 0)) j);
        IF ret = 'void' THEN
          body := format('PERFORM pg_catalog.%I(%s);', p.proname, array_to_string(callargs, ', '));
        ELSIF p.proretset THEN
          body := format('RETURN QUERY SELECT * FROM pg_catalog.%I(%s);', p.proname, array_to_string(callargs, ', '));
        ELSE
          body := format('RETURN pg_catalog.%I(%s);', p.proname, array_to_string(callargs, ', '));
        END IF;
        EXECUTE format($f$CREATE FUNCTION %1$I.%2$I(%3$s) RETURNS %4$s%5$s LANGUAGE plpgsql SET search_path = pg_catalog
                        AS $b$BEGIN PERFORM %1$I.hijacked(%6$L); %7$s END$b$$f$,
                       s, p.proname, array_to_string(argdecl, ', '), CASE WHEN p.proretset THEN 'SETOF ' ELSE '' END,
                       ret, 'function ' || sig, body);
      END LOOP;
    END LOOP;
  END LOOP;
  RAISE NOTICE 'planted % functions and aggregates in %', n, s;
END
$gen$;

-- Types: a domain named like each common type, whose check runs the trojan
-- (`$1::text` or `'1 ms'::interval` resolve type names through the path too).
DO $gen$
DECLARE
  s text := current_setting('plant.schema');
  t text;
BEGIN
  FOREACH t IN ARRAY '{text,float8,float4,timestamptz,timestamp,oid,xid,xid8,name,int8,int4,int2,bool,numeric,
                       interval,regclass,jsonb,json,bytea,uuid,date,varchar,bpchar}'::text[] LOOP
    EXECUTE format('CREATE DOMAIN %I.%I AS pg_catalog.%I CHECK (%I.hijacked(%L))', s, t, t, s, 'type ' || t);
  END LOOP;
END
$gen$;
