#include "pg/fmgr_io.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

namespace migrate::pg {

namespace {

std::string text_from_datum(Datum d) {
  auto *t = pg_call([&] { return PG_DETOAST_DATUM_PACKED(d); });
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// Plain C: called under pg_call only.
Datum to_datum(Oid type, const char *str, int len, const char *const *items, const int *lens, int count) {
  switch (type) {
  case TEXTOID:
    return PointerGetDatum(cstring_to_text_with_len(str, len));
  case TEXTARRAYOID: {
    Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
    for (int i = 0; i < count; ++i)
      elems[i] = PointerGetDatum(cstring_to_text_with_len(items[i], lens[i]));
    return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT));
  }
  default: {
    Oid input, ioparam;
    getTypeInputInfo(type, &input, &ioparam);
    return OidInputFunctionCall(input, const_cast<char *>(str), ioparam, -1);
  }
  }
}

} // namespace

std::optional<std::string> arg_text(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  return text_from_datum(PG_GETARG_DATUM(n));
}

std::optional<bool> arg_bool(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  return static_cast<bool>(PG_GETARG_BOOL(n));
}

std::optional<std::int64_t> arg_int(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  return static_cast<std::int64_t>(PG_GETARG_INT32(n));
}

std::optional<std::int64_t> arg_interval_us(FunctionCallInfo fcinfo, int n, const char *name) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  const Interval *span = PG_GETARG_INTERVAL_P(n);
  // PostgreSQL's own convention for a month in a duration: 30 days.
  std::int64_t days = 0, us = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(span->month), DAYS_PER_MONTH, &days) ||
      __builtin_add_overflow(days, static_cast<std::int64_t>(span->day), &days) ||
      __builtin_mul_overflow(days, USECS_PER_DAY, &us) || __builtin_add_overflow(us, span->time, &us))
    throw Error(sqlstate::invalid_parameter_value, std::string(name) + " is out of range");
  return us;
}

std::optional<std::vector<std::optional<std::string>>> arg_text_array(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  Datum d = PG_GETARG_DATUM(n);
  Datum *elems = nullptr;
  bool *nulls = nullptr;
  int count = 0, ndim = 0;
  pg_call([&] {
    ArrayType *arr = DatumGetArrayTypeP(d);
    ndim = ARR_NDIM(arr);
    deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
  });
  if (ndim > 1)
    throw Error(sqlstate::invalid_parameter_value,
                "argument " + std::to_string(n + 1) + " must be a one-dimensional array");
  std::vector<std::optional<std::string>> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    if (nulls[i])
      out.emplace_back(std::nullopt);
    else {
      auto *t = reinterpret_cast<::text *>(DatumGetPointer(elems[i]));
      out.emplace_back(std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
    }
  }
  return out;
}

std::string required_text(FunctionCallInfo fcinfo, int n, const char *name) {
  auto v = arg_text(fcinfo, n);
  if (!v)
    throw Error(sqlstate::null_value_not_allowed, std::string(name) + " must not be NULL");
  return *v;
}

bool required_bool(FunctionCallInfo fcinfo, int n, const char *name) {
  auto v = arg_bool(fcinfo, n);
  if (!v)
    throw Error(sqlstate::null_value_not_allowed, std::string(name) + " must not be NULL");
  return *v;
}

std::vector<std::string> required_text_array(FunctionCallInfo fcinfo, int n, const char *name) {
  auto v = arg_text_array(fcinfo, n);
  if (!v)
    throw Error(sqlstate::null_value_not_allowed, std::string(name) + " must not be NULL", {},
                "Pass '{}' for an empty list.");
  std::vector<std::string> out;
  for (auto &item : *v) {
    if (!item)
      throw Error(sqlstate::null_value_not_allowed, std::string(name) + " must not contain NULL elements");
    out.push_back(std::move(*item));
  }
  return out;
}

Datum return_rows(FunctionCallInfo fcinfo, const RowSource &next) {
  auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
  bool scalar = pg_call([&] { return get_call_result_type(fcinfo, nullptr, nullptr) != TYPEFUNC_COMPOSITE; });
  pg_call([&] { InitMaterializedSRF(fcinfo, scalar ? MAT_SRF_USE_EXPECTED_DESC : 0); });
  // Each row's Datums live until the tuplestore has copied them, no longer.
  MemoryContext row_context =
      pg_call([] { return AllocSetContextCreate(CurrentMemoryContext, "migrate result row", ALLOCSET_DEFAULT_SIZES); });
  TupleDesc desc = rsinfo->setDesc;
  const int natts = desc->natts;
  std::vector<Datum> values(natts);
  std::vector<char> nulls(natts);
  std::vector<const char *> items;
  std::vector<int> lens;
  Row row;
  while (next(row)) {
    if (static_cast<int>(row.size()) != natts)
      throw Error(sqlstate::internal_error, "result row has the wrong number of columns");
    for (int c = 0; c < natts; ++c) {
      const Cell &cell = row[c];
      nulls[c] = std::holds_alternative<std::monostate>(cell);
      if (nulls[c])
        continue;
      Oid type = TupleDescAttr(desc, c)->atttypid;
      if (type == BOOLOID || type == INT8OID) {
        const bool *b = std::get_if<bool>(&cell);
        const std::int64_t *i = std::get_if<std::int64_t>(&cell);
        if (type == BOOLOID ? !b : !i)
          throw Error(sqlstate::internal_error, "result cell does not match its column type");
        values[c] = type == BOOLOID ? BoolGetDatum(*b) : Int64GetDatum(*i);
        continue;
      }
      const std::string *s = std::get_if<std::string>(&cell);
      items.clear();
      lens.clear();
      if (const auto *list = std::get_if<std::vector<std::string>>(&cell))
        for (const auto &item : *list) {
          items.push_back(item.c_str());
          lens.push_back(static_cast<int>(item.size()));
        }
      if (type == TEXTARRAYOID ? !std::holds_alternative<std::vector<std::string>>(cell) : !s)
        throw Error(sqlstate::internal_error, "result cell does not match its column type");
      const char *str = s ? s->c_str() : nullptr;
      int len = s ? static_cast<int>(s->size()) : 0;
      int count = static_cast<int>(items.size());
      values[c] = pg_call([&] {
        MemoryContext caller = MemoryContextSwitchTo(row_context);
        Datum d = to_datum(type, str, len, items.data(), lens.data(), count);
        MemoryContextSwitchTo(caller);
        return d;
      });
    }
    Datum *vals = values.data();
    bool *nls = reinterpret_cast<bool *>(nulls.data());
    pg_call([&] {
      tuplestore_putvalues(rsinfo->setResult, desc, vals, nls);
      MemoryContextReset(row_context);
    });
  }
  pg_call([&] { MemoryContextDelete(row_context); });
  return static_cast<Datum>(0);
}

Datum return_rows(FunctionCallInfo fcinfo, const Rows &rows) {
  std::size_t i = 0;
  return return_rows(fcinfo, [&](Row &row) {
    if (i == rows.size())
      return false;
    row = rows[i++];
    return true;
  });
}

std::size_t result_columns(FunctionCallInfo fcinfo) {
  TupleDesc desc = nullptr;
  const TypeFuncClass kind = pg_call([&] { return get_call_result_type(fcinfo, nullptr, &desc); });
  return kind == TYPEFUNC_COMPOSITE && desc ? static_cast<std::size_t>(desc->natts) : 1;
}

Datum return_text(const std::string &value) {
  const char *s = value.c_str();
  int len = static_cast<int>(value.size());
  return pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(s, len)); });
}

} // namespace migrate::pg
