// SPI for C++ callers: parameters in, plain C++ values out. Every PostgreSQL
// call here goes through pg_call; no Datum or palloc'd pointer escapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace migrate::pg {

// A parameter or result cell. text[] arrives as a vector; other types as text.
using Cell = std::variant<std::monostate, std::string, std::vector<std::string>, bool, std::int64_t>;
using Row = std::vector<Cell>;
using Rows = std::vector<Row>;

inline Cell null_cell() {
  return Cell{};
}

const std::string &text(const Cell &c);                  // throws on NULL or another type
std::optional<std::string> optional_text(const Cell &c); // nullopt for NULL
const std::vector<std::string> &text_array(const Cell &c);
bool boolean(const Cell &c);

void spi_connect();
void spi_finish();

// Runs a schema-qualified query with $1..$n bound to `args`. Plans are
// prepared once per backend and kept.
Rows query(const char *sql, const std::vector<Cell> &args = {}, bool read_only = true);
// For statements that change data: returns the number of rows processed.
std::uint64_t execute(const char *sql, const std::vector<Cell> &args);

} // namespace migrate::pg
