// One database connection over libpq, opened the way psql opens one: the
// conninfo string or URI goes to libpq as `dbname` with expand_dbname, so
// PG* environment variables, service files and .pgpass all apply, and libpq
// parses it (never us). Every statement is sent with PQexecParams: values
// travel as parameters, never inside SQL text.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace migrate::cli {

// An error or notice as the server reported it (or libpq, without SQLSTATE).
struct ServerMessage {
  std::string severity, sqlstate, message, detail, hint, context;
};

class ServerError : public std::runtime_error {
public:
  explicit ServerError(ServerMessage m) : std::runtime_error(m.message), report(std::move(m)) {}
  ServerMessage report;
};

using Param = std::optional<std::string>; // nullopt: SQL NULL

// A statement of Connection::exec_batch failed: which one (0-based).
class BatchError : public ServerError {
public:
  BatchError(ServerMessage m, std::size_t index) : ServerError(std::move(m)), index(index) {}
  std::size_t index;
};

class Result {
public:
  explicit Result(pg_result *r) : r_(r, &release) {}
  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const; // "" for NULL
  std::optional<std::string> optional(int row, int column) const;
  bool boolean(int row, int column) const { return text(row, column) == "t"; }

private:
  static void release(pg_result *r);
  std::shared_ptr<pg_result> r_;
};

class Connection {
public:
  // Throws ServerError (libpq's message) when the connection fails.
  explicit Connection(const std::string &conninfo);
  // The same server and settings as `conninfo`, another database (libpq's
  // later `dbname` wins over the one in the conninfo): createdb's way of
  // reaching a maintenance database, and then the database it made.
  Connection(const std::string &conninfo, const std::string &dbname);
  ~Connection();
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;

  // Runs one statement; throws ServerError on an error. While it waits, the
  // tick (if any) runs a few times a second (progress on a terminal), and a
  // Ctrl-C sends the server a cancel request.
  Result exec(const std::string &sql, const std::vector<Param> &params = {});

  // Runs `sql` once for each parameter list, in order, in libpq's pipeline
  // mode: one round trip per chunk of statements instead of one each (a
  // load of 1,000 revisions over a network). `done(i)` after statement i
  // succeeds. At the first error the rest are skipped by the server and a
  // BatchError names the statement; the caller's transaction is then failed.
  void exec_batch(const std::string &sql, const std::vector<std::vector<Param>> &params,
                  const std::function<void(std::size_t)> &done);

  void set_notice_handler(std::function<void(const ServerMessage &)> handler) { on_notice_ = std::move(handler); }
  void set_tick(std::function<void()> tick) { tick_ = std::move(tick); }

  // "dbname@host:port", for fleet result lines.
  std::string label() const;

private:
  static void receive_notice(void *self, const pg_result *notice);
  // The next result (nullptr: the end of a statement's results), waiting with
  // the tick running and Ctrl-C able to cancel.
  pg_result *await_result();

  pg_conn *conn_ = nullptr;
  std::function<void(const ServerMessage &)> on_notice_;
  std::function<void()> tick_;
};

// The label of a conninfo before (or without) connecting: libpq's parse of
// it, with libpq's defaults for what it leaves out. Never shows a password.
std::string describe_conninfo(const std::string &conninfo);

// Installs the SIGINT handler that cancels running statements (as psql does).
void install_cancel_handler();
bool interrupted();
// Forgets a Ctrl-C, for cleanup that must still run after one (test drops
// its throwaway database, with SIGINT held back while it does).
void clear_interrupted();

// While one lives, a Ctrl-C with no statement running does not end the
// process at once: it is remembered, and the next statement throws
// "interrupted" instead of starting, so that the cleanup after it still
// runs (test's throwaway database is dropped however it is stopped).
class DeferredInterrupts {
public:
  DeferredInterrupts();
  ~DeferredInterrupts();
  DeferredInterrupts(const DeferredInterrupts &) = delete;
  DeferredInterrupts &operator=(const DeferredInterrupts &) = delete;
};

// A server message in psql's verbose layout: "ERROR:  42P01: message",
// then DETAIL, HINT and CONTEXT lines.
std::vector<std::string> format_server_message(const ServerMessage &m);

} // namespace migrate::cli
