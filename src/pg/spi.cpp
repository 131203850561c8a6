#include "pg/spi.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

#include <unordered_map>

namespace migrate::pg {

namespace {

Oid type_of(const Cell &c) {
  if (std::holds_alternative<std::vector<std::string>>(c))
    return TEXTARRAYOID;
  if (std::holds_alternative<bool>(c))
    return BOOLOID;
  if (std::holds_alternative<std::int64_t>(c))
    return INT8OID;
  return TEXTOID;
}

// Plain C: called under pg_call only.
Datum make_text_array(const char *const *items, const int *lengths, int count) {
  Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
  for (int i = 0; i < count; ++i)
    elems[i] = PointerGetDatum(cstring_to_text_with_len(items[i], lengths[i]));
  return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT));
}

SPIPlanPtr plan_for(const char *sql, const std::vector<Oid> &types, int cursor_options) {
  // Keyed by the SQL text and its parameter types; the engine's queries are constants.
  static std::unordered_map<std::string, SPIPlanPtr> plans;
  std::string key = std::to_string(cursor_options) + "|" + sql;
  for (Oid t : types)
    key += "|" + std::to_string(t);
  if (auto it = plans.find(key); it != plans.end())
    return it->second;
  int nargs = static_cast<int>(types.size());
  Oid *argtypes = const_cast<Oid *>(types.data());
  SPIPlanPtr plan = pg_call([&] {
    SPIPlanPtr p = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);
    if (p)
      SPI_keepplan(p);
    return p;
  });
  if (!plan)
    throw Error(sqlstate::internal_error, std::string("SPI_prepare failed: ") + SPI_result_code_string(SPI_result));
  plans.emplace(std::move(key), plan);
  return plan;
}

// One result cell as read under pg_call: values only, converted afterwards.
struct RawCell {
  bool isnull = true;
  Datum value = 0;        // detoasted text, bool or integer
  char *out = nullptr;    // output-function text for other types
  Datum *elems = nullptr; // text[] elements
  bool *elem_nulls = nullptr;
  int nelems = 0;
};

std::string text_of(Datum d) {
  auto *t = reinterpret_cast<::text *>(DatumGetPointer(d));
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

Cell to_cell(const RawCell &raw, Oid type) {
  if (raw.isnull)
    return Cell{};
  switch (type) {
  case TEXTOID:
  case VARCHAROID:
    return text_of(raw.value);
  case BOOLOID:
    return static_cast<bool>(DatumGetBool(raw.value));
  case INT8OID:
    return static_cast<std::int64_t>(DatumGetInt64(raw.value));
  case INT4OID:
    return static_cast<std::int64_t>(DatumGetInt32(raw.value));
  case TEXTARRAYOID: {
    std::vector<std::string> items;
    items.reserve(raw.nelems);
    for (int i = 0; i < raw.nelems; ++i) {
      if (raw.elem_nulls[i])
        throw Error(sqlstate::null_value_not_allowed, "unexpected NULL element in a text[] result");
      items.push_back(text_of(raw.elems[i]));
    }
    return items;
  }
  default:
    return std::string(raw.out);
  }
}

// The mode of the innermost SpiConnection: see SpiConnection.
bool read_only_connection = true;

// The engine's queries are planned and run under this search_path, whatever
// the caller's: an operator or function whose exact match pg_catalog lacks
// (`numeric * integer`, `text[] @> text[]`) would otherwise resolve to an
// exact match in any schema on the caller's path, and one that precedes an
// explicit pg_catalog would win even over exact matches, types and collations
// included. pg_temp last, so that temporary objects cannot shadow either.
// Tables are reached as migrate.*: the migrate schema is not on the path, so
// nothing else in it can be resolved by accident.
constexpr const char *engine_search_path = "pg_catalog, pg_temp";

// Plain C, under pg_call. Sets the engine's path at a new GUC nest level and
// returns that level, or -1 when it is in force already (an engine query
// nested in another, through the catalog trigger). The plan cache records
// the path a plan was made under and re-plans when it differs: the engine's
// plans are made and run under this one path only.
int enter_engine_path() {
  if (namespace_search_path && strcmp(namespace_search_path, engine_search_path) == 0)
    return -1;
  const int level = NewGUCNestLevel();
  (void)set_config_option("search_path", engine_search_path, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                          false);
  return level;
}

// Plain C, under pg_call: the caller's search_path again. `done`: the query
// ran to completion; otherwise whatever it changed at deeper levels is undone.
void leave_engine_path(int level, bool done) {
  if (level >= 0)
    AtEOXact_GUC(done, level);
}

Rows run(const char *sql, const std::vector<Cell> &args, std::uint64_t *processed, int cursor_options = 0,
         bool latest_snapshot = false) {
  const bool read_only = read_only_connection;
  const int nargs = static_cast<int>(args.size());
  std::vector<Oid> types(args.size());
  std::vector<Datum> values(args.size());
  std::vector<char> nulls(args.size(), ' ');
  for (int i = 0; i < nargs; ++i) {
    const Cell &a = args[i];
    types[i] = type_of(a);
    if (std::holds_alternative<std::monostate>(a)) {
      nulls[i] = 'n';
    } else if (const auto *b = std::get_if<bool>(&a)) {
      values[i] = BoolGetDatum(*b);
    } else if (const auto *n = std::get_if<std::int64_t>(&a)) {
      values[i] = Int64GetDatum(*n);
    } else if (const auto *s = std::get_if<std::string>(&a)) {
      const char *p = s->data();
      int len = static_cast<int>(s->size());
      values[i] = pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(p, len)); });
    } else {
      const auto &list = std::get<std::vector<std::string>>(a);
      std::vector<const char *> items;
      std::vector<int> lengths;
      for (const auto &item : list) {
        items.push_back(item.data());
        lengths.push_back(static_cast<int>(item.size()));
      }
      int count = static_cast<int>(list.size());
      values[i] = pg_call([&] { return make_text_array(items.data(), lengths.data(), count); });
    }
  }
  Datum *vals = values.data();
  const char *nls = nulls.data();
  const int level = pg_call([] { return enter_engine_path(); });
  int rc;
  try {
    SPIPlanPtr plan = plan_for(sql, types, cursor_options);
    rc = pg_call([&] {
      if (latest_snapshot)
        return SPI_execute_snapshot(plan, vals, nls, GetLatestSnapshot(), InvalidSnapshot, true, false, 0);
      return SPI_execute_plan(plan, vals, nls, read_only, 0);
    });
  } catch (...) {
    try {
      pg_call([&] { leave_engine_path(level, false); });
    } catch (...) {
    }
    throw;
  }
  pg_call([&] { leave_engine_path(level, true); });
  if (rc < 0)
    throw Error(sqlstate::internal_error, std::string("SPI_execute_plan failed: ") + SPI_result_code_string(rc));
  if (processed)
    *processed = SPI_processed;

  Rows rows;
  SPITupleTable *table = SPI_tuptable;
  const bool returns_rows = rc == SPI_OK_SELECT || rc == SPI_OK_INSERT_RETURNING || rc == SPI_OK_UPDATE_RETURNING ||
                            rc == SPI_OK_DELETE_RETURNING;
  if (!table || !returns_rows)
    return rows;
  const std::uint64_t nrows = SPI_processed;
  const int ncols = table->tupdesc->natts;
  std::vector<Oid> coltypes(ncols);
  std::vector<RawCell> raw(nrows * ncols);
  RawCell *cells = raw.data();
  Oid *ct = coltypes.data();
  pg_call([&] {
    for (int c = 0; c < ncols; ++c)
      ct[c] = SPI_gettypeid(table->tupdesc, c + 1);
    for (std::uint64_t r = 0; r < nrows; ++r) {
      HeapTuple tuple = table->vals[r];
      for (int c = 0; c < ncols; ++c) {
        RawCell *cell = &cells[r * ncols + c];
        bool isnull;
        Datum d = SPI_getbinval(tuple, table->tupdesc, c + 1, &isnull);
        cell->isnull = isnull;
        if (isnull)
          continue;
        switch (ct[c]) {
        case TEXTOID:
        case VARCHAROID:
          cell->value = PointerGetDatum(PG_DETOAST_DATUM_PACKED(d));
          break;
        case BOOLOID:
        case INT8OID:
        case INT4OID:
          cell->value = d;
          break;
        case TEXTARRAYOID:
          deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &cell->elems, &cell->elem_nulls,
                            &cell->nelems);
          break;
        default:
          cell->out = SPI_getvalue(tuple, table->tupdesc, c + 1);
        }
      }
    }
  });
  rows.resize(nrows);
  for (std::uint64_t r = 0; r < nrows; ++r) {
    rows[r].reserve(ncols);
    for (int c = 0; c < ncols; ++c)
      rows[r].push_back(to_cell(raw[r * ncols + c], coltypes[c]));
  }
  pg_call([&] { SPI_freetuptable(table); });
  return rows;
}

} // namespace

const std::string &text(const Cell &c) {
  if (const auto *s = std::get_if<std::string>(&c))
    return *s;
  throw Error(sqlstate::internal_error, "expected a text value from the catalog");
}

std::optional<std::string> optional_text(const Cell &c) {
  if (std::holds_alternative<std::monostate>(c))
    return std::nullopt;
  return text(c);
}

const std::vector<std::string> &text_array(const Cell &c) {
  if (const auto *v = std::get_if<std::vector<std::string>>(&c))
    return *v;
  throw Error(sqlstate::internal_error, "expected a text[] value from the catalog");
}

bool boolean(const Cell &c) {
  if (const auto *b = std::get_if<bool>(&c))
    return *b;
  throw Error(sqlstate::internal_error, "expected a boolean value from the catalog");
}

std::int64_t integer(const Cell &c) {
  if (const auto *n = std::get_if<std::int64_t>(&c))
    return *n;
  throw Error(sqlstate::internal_error, "expected an integer value from the catalog");
}

std::optional<std::int64_t> optional_integer(const Cell &c) {
  if (std::holds_alternative<std::monostate>(c))
    return std::nullopt;
  return integer(c);
}

SpiConnection::SpiConnection(Volatility volatility) : caller_read_only_(read_only_connection) {
  const int options = volatility == Volatility::nonatomic ? SPI_OPT_NONATOMIC : 0;
  int rc = pg_call([&] { return SPI_connect_ext(options); });
  if (rc != SPI_OK_CONNECT)
    throw Error(sqlstate::internal_error, "SPI_connect failed");
  // Only once constructed: a throw above runs no destructor to restore it.
  read_only_connection = volatility == Volatility::stable;
}

SpiConnection::~SpiConnection() {
  read_only_connection = caller_read_only_;
}

void SpiConnection::finish() {
  pg_call([] { SPI_finish(); });
}

void SpiConnection::commit() {
  pg_call([] { SPI_commit(); });
}

Rows query(const char *sql, const std::vector<Cell> &args) {
  return run(sql, args, nullptr);
}

Rows query_latest(const char *sql) {
  return run(sql, {}, nullptr, 0, true);
}

Rows query_replanned(const char *sql, const std::vector<Cell> &args) {
  return run(sql, args, nullptr, CURSOR_OPT_CUSTOM_PLAN);
}

std::uint64_t execute(const char *sql, const std::vector<Cell> &args) {
  std::uint64_t processed = 0;
  run(sql, args, &processed);
  return processed;
}

} // namespace migrate::pg
