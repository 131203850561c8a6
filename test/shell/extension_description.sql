-- Everything about extension migrate that an update must leave exactly as a
-- fresh install makes it, one fact per line, sorted; names, never OIDs.
-- (pg_dump -s omits extension members, so the catalogs are read directly.)
-- The extension's own properties and config tables; the schema; every member
-- (pg_depend deptype 'e'): functions and procedures in full (definition,
-- volatility, strictness, parallel safety, cost, SET clauses, owner, ACL),
-- aggregates, relations (kind, owner, ACL, options, row security, replica
-- identity), columns in order (type, NOT NULL, default, identity, generated,
-- collation, storage, ACL), constraints, indexes, triggers, rules, policies,
-- views, sequences (parameters, owning column), types (enum labels, domain
-- constraints), event triggers, casts and operators, the comments on all of
-- them, and pg_init_privs (what pg_dump treats as the extension's own ACLs).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
SET search_path = pg_catalog;
WITH ext AS (SELECT e.* FROM pg_extension e WHERE e.extname = 'migrate'),
members AS (
  SELECT d.classid, d.objid, d.objsubid FROM pg_depend d JOIN ext ON d.refobjid = ext.oid
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'),
rels AS (SELECT c.* FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
procs AS (SELECT p.* FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid),
types AS (SELECT t.* FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid),
facts(line) AS (
  SELECT format('extension: version %s, schema %s, relocatable %s, owner %s, comment %L', extversion,
                extnamespace::regnamespace, extrelocatable, pg_get_userbyid(extowner), obj_description(oid, 'pg_extension'))
  FROM ext
  UNION ALL
  SELECT format('extension config table %s, condition %L', c.cfg::regclass, c.cond)
  FROM ext, unnest(ext.extconfig, ext.extcondition) c(cfg, cond)
  UNION ALL
  SELECT format('schema %s: owner %s, acl %s, comment %L', n.nspname, pg_get_userbyid(n.nspowner), n.nspacl,
                obj_description(n.oid, 'pg_namespace'))
  FROM ext JOIN pg_namespace n ON n.oid = ext.extnamespace
  UNION ALL
  SELECT 'member: ' || pg_describe_object(classid, objid, objsubid) FROM members
  UNION ALL
  SELECT format('comment on %s: %L', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
  FROM pg_description d
  WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM members)
     OR (d.classoid = 'pg_constraint'::regclass AND d.objoid IN (SELECT oid FROM pg_constraint WHERE conrelid IN (SELECT oid FROM rels)))
     OR (d.classoid = 'pg_trigger'::regclass AND d.objoid IN (SELECT oid FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM rels)))
     OR (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)))
  UNION ALL
  SELECT format('init privileges of %s (%s): %s', pg_describe_object(i.classoid, i.objoid, i.objsubid), i.privtype, i.initprivs)
  FROM pg_init_privs i WHERE (i.classoid, i.objoid) IN (SELECT classid, objid FROM members)
  UNION ALL
  -- Functions and procedures
  SELECT format('function %s: kind %s, owner %s, acl %s, volatile %s, strict %s, security definer %s, leakproof %s, '
                'parallel %s, cost %s, rows %s, config %s, language %s, definition %s',
                p.oid::regprocedure, p.prokind, pg_get_userbyid(p.proowner), p.proacl, p.provolatile, p.proisstrict,
                p.prosecdef, p.proleakproof, p.proparallel, p.procost, p.prorows, p.proconfig,
                (SELECT lanname FROM pg_language WHERE oid = p.prolang),
                CASE WHEN p.prokind IN ('f', 'p', 'w') THEN replace(pg_get_functiondef(p.oid), E'\n', '\n') END)
  FROM procs p
  UNION ALL
  SELECT format('aggregate %s: transition %s, final %s, combine %s, state %s, initial %L, sort operator %s, kind %s',
                a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggtranstype::regtype,
                a.agginitval, a.aggsortop::regoperator, a.aggkind)
  FROM pg_aggregate a WHERE a.aggfnoid IN (SELECT oid FROM procs)
  UNION ALL
  -- Relations, their columns, constraints, indexes, triggers, rules, policies
  SELECT format('relation %s: kind %s, persistence %s, owner %s, acl %s, options %s, row security %s/%s, '
                'replica identity %s, access method %s, tablespace %s',
                c.oid::regclass, c.relkind, c.relpersistence, pg_get_userbyid(c.relowner), c.relacl, c.reloptions,
                c.relrowsecurity, c.relforcerowsecurity, c.relreplident,
                (SELECT amname FROM pg_am WHERE oid = c.relam), c.reltablespace <> 0)
  FROM rels c
  UNION ALL
  SELECT format('column %s.%s (position %s): type %s, not null %s, default %s, identity %L, generated %L, collation %s, '
                'storage %s, compression %L, statistics %s, acl %s',
                a.attrelid::regclass, quote_ident(a.attname),
                row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity,
                a.attgenerated, (SELECT collname FROM pg_collation WHERE oid = a.attcollation), a.attstorage,
                a.attcompression, a.attstattarget, a.attacl)
  FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('constraint %s on %s: %s (validated %s, no inherit %s)', quote_ident(k.conname),
                coalesce(k.conrelid::regclass::text, k.contypid::regtype::text), pg_get_constraintdef(k.oid),
                k.convalidated, k.connoinherit)
  FROM pg_constraint k
  WHERE k.conrelid IN (SELECT oid FROM rels) OR k.contypid IN (SELECT oid FROM types)
  UNION ALL
  SELECT format('index %s: %s (primary %s, unique %s, clustered %s, replica identity %s, valid %s, options %s)',
                i.indexrelid::regclass, pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisunique,
                i.indisclustered, i.indisreplident, i.indisvalid,
                (SELECT reloptions FROM pg_class WHERE oid = i.indexrelid))
  FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM rels)
  UNION ALL
  SELECT format('trigger %s on %s: %s (enabled %s)', quote_ident(t.tgname), t.tgrelid::regclass,
                pg_get_triggerdef(t.oid), t.tgenabled)
  FROM pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM rels) AND NOT t.tgisinternal
  UNION ALL
  SELECT format('rule %s on %s: %s', quote_ident(r.rulename), r.ev_class::regclass,
                replace(pg_get_ruledef(r.oid), E'\n', '\n'))
  FROM pg_rewrite r WHERE r.ev_class IN (SELECT oid FROM rels) AND r.rulename <> '_RETURN'
  UNION ALL
  SELECT format('policy %s on %s: command %s, permissive %s, roles %s, using %s, check %s', quote_ident(p.polname),
                p.polrelid::regclass, p.polcmd, p.polpermissive,
                (SELECT array_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END ORDER BY 1)
                 FROM unnest(p.polroles) r),
                pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p WHERE p.polrelid IN (SELECT oid FROM rels)
  UNION ALL
  SELECT format('view %s: %s', c.oid::regclass, replace(pg_get_viewdef(c.oid, true), E'\n', '\n'))
  FROM rels c WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('sequence %s: type %s, start %s, increment %s, min %s, max %s, cache %s, cycle %s, owned by %s',
                s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                s.seqcache, s.seqcycle,
                (SELECT format('%s.%s (%s)', d.refobjid::regclass, a.attname, d.deptype)
                 FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
  FROM pg_sequence s WHERE s.seqrelid IN (SELECT oid FROM rels)
  UNION ALL
  -- Types, event triggers, casts, operators
  SELECT format('type %s: kind %s, category %s, owner %s, acl %s, base %s, not null %s, default %L, labels %s',
                t.oid::regtype, t.typtype, t.typcategory, pg_get_userbyid(t.typowner), t.typacl,
                nullif(t.typbasetype, 0)::regtype, t.typnotnull, t.typdefault,
                (SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid))
  FROM types t
  UNION ALL
  SELECT format('event trigger %s: event %s, function %s, enabled %s, tags %s, owner %s', quote_ident(e.evtname),
                e.evtevent, e.evtfoid::regprocedure, e.evtenabled, e.evttags, pg_get_userbyid(e.evtowner))
  FROM pg_event_trigger e JOIN members m ON m.classid = 'pg_event_trigger'::regclass AND m.objid = e.oid
  UNION ALL
  SELECT format('cast %s: function %s, context %s, method %s', pg_describe_object(m.classid, m.objid, 0),
                k.castfunc::regprocedure, k.castcontext, k.castmethod)
  FROM pg_cast k JOIN members m ON m.classid = 'pg_cast'::regclass AND m.objid = k.oid
  UNION ALL
  SELECT format('operator %s: function %s, commutator %s, negator %s, restrict %s, join %s, merges %s, hashes %s, owner %s',
                o.oid::regoperator, o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest,
                o.oprjoin, o.oprcanmerge, o.oprcanhash, pg_get_userbyid(o.oprowner))
  FROM pg_operator o JOIN members m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
)
SELECT line FROM facts ORDER BY line COLLATE "C";
