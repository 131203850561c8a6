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
std::int64_t integer(const Cell &c);                         // integer or bigint
std::optional<std::int64_t> optional_integer(const Cell &c); // nullopt for NULL

// How the calling SQL function is declared. A STABLE function's queries see
// the caller's snapshot; a VOLATILE one's see everything done before them,
// including by earlier calls in the same statement (as PL/pgSQL does).
// A procedure that commits (CALL outside a transaction block) connects
// `nonatomic`: its queries behave as a VOLATILE function's, and commit() ends
// the transaction and starts the next one.
enum class Volatility { stable, volatile_, nonatomic };

// One SPI connection for one call of an SQL function. It sets the query mode
// for the function's volatility and gives the caller's mode back when it goes
// out of scope, also when an exception unwinds it (nested calls: a STABLE
// function called from SQL that a VOLATILE one runs). The destructor only
// restores that flag: it never calls PostgreSQL. finish() closes SPI; on an
// error the transaction's abort does.
class SpiConnection {
public:
  explicit SpiConnection(Volatility volatility);
  ~SpiConnection();
  SpiConnection(const SpiConnection &) = delete;
  SpiConnection &operator=(const SpiConnection &) = delete;
  void finish();
  // Only for a `nonatomic` connection, outside any subtransaction.
  void commit();

private:
  bool caller_read_only_;
};

// Runs one of the engine's queries with $1..$n bound to `args`. Plans are
// prepared once per backend and kept. The engine's queries name migrate's
// tables qualified, and are planned and run under search_path
// `pg_catalog, pg_temp` (set at a GUC nest level, the caller's restored
// right after): their functions, operators, types and collations resolve in
// pg_catalog only, whatever the caller's search_path. A revision's own SQL
// is run elsewhere (step_sql, the backfill runner, the top-level worker),
// under the caller's path.
Rows query(const char *sql, const std::vector<Cell> &args = {});
// The same, planned afresh at each call: for lookups whose best plan depends
// on a table's size when that size changes within one transaction (a bulk
// load registering thousands of revisions), where a generic plan made on the
// empty table would stay a sequential scan.
Rows query_replanned(const char *sql, const std::vector<Cell> &args);
// Read-only, under the newest snapshot instead of the transaction's: what is
// committed now, for a REPEATABLE READ caller that must not act on a stale view.
Rows query_latest(const char *sql);
// For statements that change data: returns the number of rows processed.
std::uint64_t execute(const char *sql, const std::vector<Cell> &args);

} // namespace migrate::pg
