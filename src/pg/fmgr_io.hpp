// Function arguments in, result sets out, between fmgr and C++ values.
#pragma once

#include "pg/postgres.hpp"
#include "pg/spi.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pg {

// nullopt when the argument is SQL NULL.
std::optional<std::string> arg_text(FunctionCallInfo fcinfo, int n);
std::optional<bool> arg_bool(FunctionCallInfo fcinfo, int n);
std::optional<std::int64_t> arg_int(FunctionCallInfo fcinfo, int n); // integer
// An interval as microseconds (a month counts 30 days, as PostgreSQL's epoch does).
std::optional<std::int64_t> arg_interval_us(FunctionCallInfo fcinfo, int n, const char *name);
// A one-dimensional text[]; each element nullopt where it is NULL.
std::optional<std::vector<std::optional<std::string>>> arg_text_array(FunctionCallInfo fcinfo, int n);

// The same, refusing SQL NULL (22004) with the parameter's name.
std::string required_text(FunctionCallInfo fcinfo, int n, const char *name);
bool required_bool(FunctionCallInfo fcinfo, int n, const char *name);
std::vector<std::string> required_text_array(FunctionCallInfo fcinfo, int n, const char *name);

// Hands rows to a set-returning function's caller (materialize mode); each
// cell is converted to the declared column type. A RowSource fills the next
// row into the buffer it is given (reused from row to row) and returns false
// when there are no more: large results are streamed, not copied first.
using RowSource = std::function<bool(Row &row)>;
Datum return_rows(FunctionCallInfo fcinfo, const RowSource &next);
Datum return_rows(FunctionCallInfo fcinfo, const Rows &rows);
Datum return_text(const std::string &value);

// How many columns the calling function's declared result has (1 for a
// scalar): a library serving an older declaration returns fewer.
std::size_t result_columns(FunctionCallInfo fcinfo);

} // namespace migrate::pg
