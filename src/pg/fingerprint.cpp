#include "pg/fingerprint.hpp"

#include "pg/catalog.hpp"
#include "pg/checksum.hpp"
#include "pg/guard.hpp"
#include "pg/procedure.hpp"
#include "pg/spi.hpp"

namespace migrate::pg {

namespace {

// The schema as rows (unit, kind, name, definition); `unit` is the relation
// an object belongs to (0 for schemas, extensions, functions, types and
// their constraints). Left out: the system schemas
// (pg_*, information_schema, temporary ones), the migrate schema, every
// object that belongs to an extension (pg_depend deptype 'e'), with what
// hangs off such a table, and what PostgreSQL makes as part of another
// object (deptype 'i': a range type's constructors, an identity's sequence). Definitions come from PostgreSQL's own
// deparsers (pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef, pg_get_expr,
// format_type); names are quoted as quote_ident quotes them. Sorted by the caller.
const char *fingerprint_template = R"SQL(
WITH member AS (
  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype OPERATOR(pg_catalog.=) 'e'
), nsp AS (
  SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
  WHERE n.nspname OPERATOR(pg_catalog.!~~) 'pg\_%'
    AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{information_schema,migrate}'::pg_catalog.name[])
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
                    AND m.objid OPERATOR(pg_catalog.=) n.oid)
), rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relispartition, c.reloptions, c.relrowsecurity,
         c.relforcerowsecurity, c.relpartbound, n.nspname,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS qname
  FROM pg_catalog.pg_class c JOIN nsp n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f,v,m,S}'::"char"[])
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND m.objid OPERATOR(pg_catalog.=) c.oid)@RELATIONS@
), tab AS (
  SELECT * FROM rel WHERE relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f}'::"char"[])
), typ AS (
  SELECT t.oid, t.typname, t.typtype, t.typrelid, t.typbasetype, t.typtypmod, t.typcollation, t.typdefault,
         t.typnotnull, n.nspname, pg_catalog.format('%I.%I', n.nspname, t.typname) AS qname
  FROM pg_catalog.pg_type t JOIN nsp n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
  WHERE t.typtype OPERATOR(pg_catalog.=) ANY ('{e,d,r,c}'::"char"[])
    AND (t.typtype OPERATOR(pg_catalog.<>) 'c' OR EXISTS (
         SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid
         AND c.relkind OPERATOR(pg_catalog.=) 'c'))
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
                    AND m.objid OPERATOR(pg_catalog.=) t.oid)
)
SELECT 0::pg_catalog.int8, 'schema', pg_catalog.quote_ident(n.nspname), '' FROM nsp n
UNION ALL
SELECT 0::pg_catalog.int8, 'extension', pg_catalog.quote_ident(e.extname),
       pg_catalog.concat('version ', e.extversion, ' in schema ', pg_catalog.quote_ident(n.nspname))
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
WHERE e.extname OPERATOR(pg_catalog.<>) 'migrate'
UNION ALL
SELECT r.oid::pg_catalog.int8, 'table', r.qname, pg_catalog.concat_ws(' ',
         CASE WHEN r.relkind OPERATOR(pg_catalog.=) 'p' THEN 'partitioned table'
              WHEN r.relkind OPERATOR(pg_catalog.=) 'f' THEN 'foreign table' ELSE 'table' END,
         CASE WHEN r.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED' END,
         CASE WHEN r.relispartition THEN pg_catalog.concat('PARTITION OF ',
              (SELECT i.inhparent::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_inherits i
               WHERE i.inhrelid OPERATOR(pg_catalog.=) r.oid), ' ', pg_catalog.pg_get_expr(r.relpartbound, r.oid))
              ELSE (SELECT 'INHERITS (' OPERATOR(pg_catalog.||) pg_catalog.string_agg(
                      i.inhparent::pg_catalog.regclass::pg_catalog.text, ', ' ORDER BY i.inhseqno) OPERATOR(pg_catalog.||) ')'
                    FROM pg_catalog.pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) r.oid) END,
         CASE WHEN r.relkind OPERATOR(pg_catalog.=) 'p' THEN 'PARTITION BY ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_partkeydef(r.oid) END,
         CASE WHEN r.reloptions IS NOT NULL THEN
              'WITH (' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(r.reloptions, ', ') OPERATOR(pg_catalog.||) ')' END,
         CASE WHEN r.relrowsecurity THEN 'ROW LEVEL SECURITY' END,
         CASE WHEN r.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END)
FROM tab r
UNION ALL
SELECT r.oid::pg_catalog.int8, 'column', pg_catalog.format('%s.%I', r.qname, a.attname), pg_catalog.concat(
         pg_catalog.format_type(a.atttypid, a.atttypmod),
         CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation
              THEN ' COLLATE ' OPERATOR(pg_catalog.||) a.attcollation::pg_catalog.regcollation::pg_catalog.text END,
         CASE WHEN a.attnotnull THEN ' NOT NULL' END,
         CASE WHEN a.attidentity OPERATOR(pg_catalog.=) 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
              WHEN a.attidentity OPERATOR(pg_catalog.=) 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY'
              WHEN a.attgenerated OPERATOR(pg_catalog.=) 's'
              THEN ' GENERATED ALWAYS AS (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(d.adbin, d.adrelid) OPERATOR(pg_catalog.||) ') STORED'
              WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(d.adbin, d.adrelid) END)
FROM tab r
JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
UNION ALL
SELECT r.oid::pg_catalog.int8, 'constraint', pg_catalog.format('%s.%I', r.qname, co.conname), pg_catalog.pg_get_constraintdef(co.oid)
FROM tab r JOIN pg_catalog.pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) r.oid
WHERE co.contype OPERATOR(pg_catalog.<>) 't'
UNION ALL
SELECT 0::pg_catalog.int8, 'constraint', pg_catalog.format('%s.%I', t.qname, co.conname), pg_catalog.pg_get_constraintdef(co.oid)
FROM typ t JOIN pg_catalog.pg_constraint co ON co.contypid OPERATOR(pg_catalog.=) t.oid
UNION ALL
SELECT r.oid::pg_catalog.int8, 'index', pg_catalog.format('%I.%I', n.nspname, c.relname),
       pg_catalog.pg_get_indexdef(c.oid) OPERATOR(pg_catalog.||) CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
FROM pg_catalog.pg_index i
JOIN rel r ON r.oid OPERATOR(pg_catalog.=) i.indrelid
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint co WHERE co.conindid OPERATOR(pg_catalog.=) i.indexrelid
                  AND co.conrelid OPERATOR(pg_catalog.=) i.indrelid AND co.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::"char"[]))
UNION ALL
SELECT r.oid::pg_catalog.int8, 'sequence', r.qname, pg_catalog.concat('AS ', pg_catalog.format_type(s.seqtypid, NULL), ' START ', s.seqstart,
         ' INCREMENT ', s.seqincrement, ' MINVALUE ', s.seqmin, ' MAXVALUE ', s.seqmax, ' CACHE ', s.seqcache,
         CASE WHEN s.seqcycle THEN ' CYCLE' END,
         (SELECT pg_catalog.format(' OWNED BY %s.%I', d.refobjid::pg_catalog.regclass, a.attname)
          FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid
               AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) r.oid
            AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
            AND d.deptype OPERATOR(pg_catalog.=) 'a' AND d.refobjsubid OPERATOR(pg_catalog.>) 0))
FROM rel r JOIN pg_catalog.pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) r.oid
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.objid OPERATOR(pg_catalog.=) r.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')
UNION ALL
SELECT r.oid::pg_catalog.int8, CASE WHEN r.relkind OPERATOR(pg_catalog.=) 'v' THEN 'view' ELSE 'materialized view' END, r.qname,
       pg_catalog.pg_get_viewdef(r.oid)
FROM rel r WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::"char"[])
UNION ALL
SELECT 0::pg_catalog.int8, CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'p' THEN 'procedure'
            WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN 'aggregate' ELSE 'function' END,
       pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
       CASE WHEN p.prokind OPERATOR(pg_catalog.<>) 'a' THEN pg_catalog.pg_get_functiondef(p.oid)
            ELSE (SELECT pg_catalog.concat_ws(' ', 'SFUNC ' OPERATOR(pg_catalog.||) g.aggtransfn::pg_catalog.text,
                    'STYPE ' OPERATOR(pg_catalog.||) pg_catalog.format_type(g.aggtranstype, NULL),
                    CASE WHEN g.aggfinalfn OPERATOR(pg_catalog.<>) 0 THEN 'FINALFUNC ' OPERATOR(pg_catalog.||) g.aggfinalfn::pg_catalog.text END,
                    CASE WHEN g.agginitval IS NOT NULL THEN 'INITCOND ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(g.agginitval) END)
                  FROM pg_catalog.pg_aggregate g WHERE g.aggfnoid OPERATOR(pg_catalog.=) p.oid) END
FROM pg_catalog.pg_proc p JOIN nsp n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) ANY ('{e,i}'::"char"[]))
UNION ALL
SELECT r.oid::pg_catalog.int8, 'trigger', pg_catalog.format('%s.%I', r.qname, g.tgname), pg_catalog.pg_get_triggerdef(g.oid)
FROM tab r JOIN pg_catalog.pg_trigger g ON g.tgrelid OPERATOR(pg_catalog.=) r.oid WHERE NOT g.tgisinternal
UNION ALL
SELECT 0::pg_catalog.int8, 'type', t.qname, CASE
         WHEN t.typtype OPERATOR(pg_catalog.=) 'e' THEN (SELECT 'ENUM (' OPERATOR(pg_catalog.||)
              pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) OPERATOR(pg_catalog.||) ')'
              FROM pg_catalog.pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid)
         WHEN t.typtype OPERATOR(pg_catalog.=) 'd' THEN pg_catalog.concat('DOMAIN ', pg_catalog.format_type(t.typbasetype, t.typtypmod),
              CASE WHEN t.typcollation OPERATOR(pg_catalog.<>) (SELECT b.typcollation FROM pg_catalog.pg_type b
                                                                WHERE b.oid OPERATOR(pg_catalog.=) t.typbasetype)
                   THEN ' COLLATE ' OPERATOR(pg_catalog.||) t.typcollation::pg_catalog.regcollation::pg_catalog.text END,
              CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' OPERATOR(pg_catalog.||) t.typdefault END,
              CASE WHEN t.typnotnull THEN ' NOT NULL' END)
         WHEN t.typtype OPERATOR(pg_catalog.=) 'r' THEN (SELECT pg_catalog.concat('RANGE (SUBTYPE = ',
              pg_catalog.format_type(g.rngsubtype, NULL), ')') FROM pg_catalog.pg_range g WHERE g.rngtypid OPERATOR(pg_catalog.=) t.oid)
         ELSE (SELECT '(' OPERATOR(pg_catalog.||) pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname,
                 pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum) OPERATOR(pg_catalog.||) ')'
               FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) t.typrelid
               AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) END
FROM typ t
UNION ALL
SELECT r.oid::pg_catalog.int8, 'policy', pg_catalog.format('%s.%I', r.qname, p.polname), pg_catalog.concat_ws(' ',
         CASE WHEN p.polpermissive THEN 'AS PERMISSIVE' ELSE 'AS RESTRICTIVE' END,
         'FOR ' OPERATOR(pg_catalog.||) CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                                      WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
         (SELECT 'TO ' OPERATOR(pg_catalog.||) pg_catalog.string_agg(CASE WHEN o.role OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.role)) END, ', ' ORDER BY o.role)
          FROM pg_catalog.unnest(p.polroles) o(role)),
         'USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polqual, p.polrelid) OPERATOR(pg_catalog.||) ')',
         'WITH CHECK (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) OPERATOR(pg_catalog.||) ')')
FROM tab r JOIN pg_catalog.pg_policy p ON p.polrelid OPERATOR(pg_catalog.=) r.oid
)SQL";

// The fingerprint's query, every relation or (`scoped`) only those in $1.
const char *fingerprint_sql(bool scoped) {
  static const std::string all = [] {
    std::string sql = fingerprint_template;
    return sql.replace(sql.find("@RELATIONS@"), 11, "");
  }();
  static const std::string some = [] {
    std::string sql = fingerprint_template;
    return sql.replace(sql.find("@RELATIONS@"), 11,
                       "\n    AND c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[]::pg_catalog.oid[])");
  }();
  return scoped ? some.c_str() : all.c_str();
}

// Plain C, under pg_call: the settings that change how definitions print,
// fixed at a new GUC nest level (the caller's come back with AtEOXact_GUC);
// and no JIT: the query's cost estimate over a large catalog would have it
// compiled at every call, for more than the query itself takes.
int enter_fixed_settings() {
  static const char *const settings[][2] = {
      {"search_path", "pg_catalog, pg_temp"},
      {"DateStyle", "ISO, YMD"},
      {"IntervalStyle", "postgres"},
      {"extra_float_digits", "3"},
      {"TimeZone", "UTC"},
      {"quote_all_identifiers", "off"},
      {"standard_conforming_strings", "on"},
      {"bytea_output", "hex"},
      {"jit", "off"},
  };
  const int level = NewGUCNestLevel();
  for (const auto &setting : settings)
    (void)set_config_option(setting[0], setting[1], PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
  return level;
}

} // namespace

std::vector<UnitObject> read_fingerprint_units(const std::vector<std::int64_t> *relations) {
  // pg_get_viewdef locks the view and what it reads (AccessShareLock, until
  // the transaction ends): read in a subtransaction that is rolled back, so
  // that the caller holds no lock it did not take itself.
  Subtransaction sub;
  sub.begin();
  Rows rows;
  try {
    const int level = pg_call([] { return enter_fixed_settings(); });
    if (relations) {
      std::vector<std::string> oids;
      oids.reserve(relations->size());
      for (auto oid : *relations)
        oids.push_back(std::to_string(oid));
      rows = query(fingerprint_sql(true), {oids});
    } else {
      rows = query(fingerprint_sql(false));
    }
    pg_call([&] { AtEOXact_GUC(true, level); });
  } catch (...) {
    sub.rollback(); // also undoes the settings
    throw;
  }
  sub.rollback();
  std::vector<UnitObject> out;
  out.reserve(rows.size());
  for (auto &row : rows)
    out.push_back(UnitObject{std::get<std::int64_t>(row[0]), SchemaObject{std::move(std::get<std::string>(row[1])),
                                                                          std::move(std::get<std::string>(row[2])),
                                                                          std::move(std::get<std::string>(row[3]))}});
  return out;
}

Fingerprint read_fingerprint() {
  Fingerprint out;
  for (auto &row : read_fingerprint_units(nullptr))
    out.push_back(std::move(row.object));
  sort_fingerprint(out);
  return out;
}

std::string fingerprint_hash(const Fingerprint &objects) {
  return sha256_hex(canonical_form(objects));
}

std::optional<RecordedFingerprint> recorded_fingerprint() {
  Rows rows = query("SELECT hash, recorded_at::text, recorded_by::text, version_rows "
                    "FROM migrate.schema_fingerprint_state WHERE id = 1");
  if (rows.empty())
    return std::nullopt;
  return RecordedFingerprint{text(rows[0][0]), text(rows[0][1]), text(rows[0][2]), text_array(rows[0][3])};
}

Fingerprint recorded_objects() {
  Fingerprint out;
  for (auto &row : query("SELECT kind, name, definition FROM migrate.schema_fingerprint"))
    out.push_back(SchemaObject{text(row[0]), text(row[1]), text(row[2])});
  sort_fingerprint(out);
  return out;
}

void record_fingerprint(const std::vector<std::string> &version_rows) {
  if (!catalog_has("schema_fingerprint_state"))
    return; // 0.1.0's catalog, until ALTER EXTENSION migrate UPDATE
  const Fingerprint now = read_fingerprint();
  const std::string hash = fingerprint_hash(now);
  auto recorded = recorded_fingerprint();
  if (recorded && recorded->hash == hash && recorded->version_rows == version_rows)
    return; // nothing to write
  if (!recorded || recorded->hash != hash) {
    const FingerprintDelta d = delta(recorded ? recorded_objects() : Fingerprint{}, now);
    auto columns = [](const Fingerprint &objects) {
      std::vector<std::string> kind, name, definition;
      for (const auto &o : objects) {
        kind.push_back(o.kind);
        name.push_back(o.name);
        definition.push_back(o.definition);
      }
      return std::vector<Cell>{kind, name, definition};
    };
    if (!d.removed.empty())
      execute("DELETE FROM migrate.schema_fingerprint f USING ROWS FROM (pg_catalog.unnest($1::text[]), "
              "pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[])) AS d(kind, name, definition) "
              "WHERE f.kind OPERATOR(pg_catalog.=) d.kind AND f.name OPERATOR(pg_catalog.=) d.name "
              "AND f.definition OPERATOR(pg_catalog.=) d.definition",
              columns(d.removed));
    if (!d.added.empty())
      execute("INSERT INTO migrate.schema_fingerprint (kind, name, definition) SELECT * FROM ROWS FROM "
              "(pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]))",
              columns(d.added));
  }
  execute("INSERT INTO migrate.schema_fingerprint_state AS s (id, hash, recorded_at, recorded_by, version_rows) "
          "VALUES (1, $1, pg_catalog.clock_timestamp(), CURRENT_USER, $2) ON CONFLICT (id) DO UPDATE "
          "SET hash = excluded.hash, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by, "
          "version_rows = excluded.version_rows",
          {hash, version_rows});
}

} // namespace migrate::pg
