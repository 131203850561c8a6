#include "cli/connection.hpp"

#include "cli/libpq.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <unistd.h>

namespace migrate::cli {

namespace {

// Statements running now, for the SIGINT handler. PQcancel is safe to call
// from a signal handler; like psql, a slot is cleared before it is freed.
constexpr std::size_t cancel_slots = 256;
std::atomic<PGcancel *> running[cancel_slots];
std::atomic<bool> sigint_seen{false};
std::atomic<int> deferring{0}; // DeferredInterrupts alive

void on_sigint(int) {
  sigint_seen = true;
  bool any = false;
  for (auto &slot : running) {
    if (PGcancel *c = slot.load()) {
      char errbuf[256];
      if (const LibPq *pq = libpq_if_loaded()) // always, once a connection exists
        pq->PQcancel(c, errbuf, sizeof errbuf);
      any = true;
    }
  }
  if (!any && deferring.load() == 0)
    _exit(130); // nothing to cancel: stop now, as a shell command does
}

class CancelSlot {
public:
  explicit CancelSlot(PGconn *conn) : cancel_(libpq().PQgetCancel(conn)) {
    for (std::size_t i = 0; i < cancel_slots && cancel_; ++i) {
      PGcancel *expected = nullptr;
      if (running[i].compare_exchange_strong(expected, cancel_)) {
        slot_ = &running[i];
        break;
      }
    }
  }
  ~CancelSlot() {
    if (slot_)
      slot_->store(nullptr);
    if (cancel_)
      libpq().PQfreeCancel(cancel_);
  }
  CancelSlot(const CancelSlot &) = delete;
  CancelSlot &operator=(const CancelSlot &) = delete;

private:
  PGcancel *cancel_;
  std::atomic<PGcancel *> *slot_ = nullptr;
};

std::string field(const PGresult *r, int code) {
  const char *v = libpq().PQresultErrorField(r, code);
  return v ? v : "";
}

ServerMessage message_of(const PGresult *r) {
  ServerMessage m{field(r, PG_DIAG_SEVERITY_NONLOCALIZED), field(r, PG_DIAG_SQLSTATE),
                  field(r, PG_DIAG_MESSAGE_PRIMARY),       field(r, PG_DIAG_MESSAGE_DETAIL),
                  field(r, PG_DIAG_MESSAGE_HINT),          field(r, PG_DIAG_CONTEXT)};
  if (m.message.empty()) {
    m.message = libpq().PQresultErrorMessage(r);
    while (!m.message.empty() && (m.message.back() == '\n' || m.message.back() == ' '))
      m.message.pop_back();
  }
  return m;
}

ServerError connection_error(PGconn *conn) {
  std::string text = conn ? libpq().PQerrorMessage(conn) : "out of memory";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return ServerError(ServerMessage{"", "", text, "", "", ""});
}

} // namespace

void install_cancel_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

bool interrupted() {
  return sigint_seen.load();
}

void clear_interrupted() {
  sigint_seen = false;
}

DeferredInterrupts::DeferredInterrupts() {
  ++deferring;
}

DeferredInterrupts::~DeferredInterrupts() {
  --deferring;
}

int Result::rows() const {
  return libpq().PQntuples(r_.get());
}
bool Result::is_null(int row, int column) const {
  return libpq().PQgetisnull(r_.get(), row, column);
}
std::string Result::text(int row, int column) const {
  return libpq().PQgetvalue(r_.get(), row, column);
}
std::optional<std::string> Result::optional(int row, int column) const {
  if (is_null(row, column))
    return std::nullopt;
  return text(row, column);
}
void Result::release(pg_result *r) {
  libpq().PQclear(r);
}

Connection::Connection(const std::string &conninfo) : Connection(conninfo, std::string()) {}

Connection::Connection(const std::string &conninfo, const std::string &dbname) {
  // As psql: the conninfo (or URI) is libpq's `dbname`, expanded by libpq;
  // only the first `dbname` is expanded, a later one is a database name.
  // Revision files are UTF-8, whatever the client's locale says.
  const char *keywords[] = {"dbname", "fallback_application_name", "client_encoding", "dbname", nullptr};
  const char *values[] = {conninfo.empty() ? nullptr : conninfo.c_str(), "pg_migrate", "UTF8",
                          dbname.empty() ? nullptr : dbname.c_str(), nullptr};
  conn_ = libpq().PQconnectdbParams(keywords, values, 1);
  if (!conn_ || libpq().PQstatus(conn_) != CONNECTION_OK) {
    ServerError e = connection_error(conn_);
    libpq().PQfinish(conn_);
    conn_ = nullptr;
    throw e;
  }
  libpq().PQsetNoticeReceiver(conn_, &Connection::receive_notice, this);
}

Connection::~Connection() {
  libpq().PQfinish(conn_);
}

void Connection::receive_notice(void *self, const PGresult *notice) {
  auto *c = static_cast<Connection *>(self);
  if (c->on_notice_)
    c->on_notice_(message_of(notice));
}

pg_result *Connection::await_result() {
  for (;;) {
    if (!libpq().PQconsumeInput(conn_))
      throw connection_error(conn_);
    if (!libpq().PQisBusy(conn_))
      return libpq().PQgetResult(conn_);
    pollfd fd{libpq().PQsocket(conn_), POLLIN, 0};
    poll(&fd, 1, 200);
    if (tick_)
      tick_();
  }
}

namespace {

bool is_error(const PGresult *r) {
  ExecStatusType status = libpq().PQresultStatus(r);
  return status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR || status == PGRES_BAD_RESPONSE;
}

std::vector<const char *> c_strings(const std::vector<Param> &params) {
  std::vector<const char *> values;
  values.reserve(params.size());
  for (const auto &p : params)
    values.push_back(p ? p->c_str() : nullptr);
  return values;
}

} // namespace

Result Connection::exec(const std::string &sql, const std::vector<Param> &params) {
  if (interrupted())
    throw ServerError(ServerMessage{"", "", "interrupted", "", "", ""});
  std::vector<const char *> values = c_strings(params);
  CancelSlot cancel(conn_);
  if (!libpq().PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                 nullptr, 0))
    throw connection_error(conn_);
  PGresult *last = nullptr;
  std::optional<ServerMessage> error;
  try {
    while (PGresult *r = await_result()) {
      if (is_error(r)) {
        if (!error)
          error = message_of(r);
        libpq().PQclear(r);
      } else {
        libpq().PQclear(last);
        last = r;
      }
    }
  } catch (...) {
    libpq().PQclear(last);
    throw;
  }
  if (error) {
    libpq().PQclear(last);
    throw ServerError(*error);
  }
  return Result(last);
}

void Connection::exec_batch(const std::string &sql, const std::vector<std::vector<Param>> &params,
                            const std::function<void(std::size_t)> &done) {
  if (params.empty())
    return;
  if (interrupted())
    throw ServerError(ServerMessage{"", "", "interrupted", "", "", ""});
  CancelSlot cancel(conn_);
  if (!libpq().PQenterPipelineMode(conn_))
    throw connection_error(conn_);
  // A chunk's results are small; bounding the chunk keeps them well within
  // the socket's buffers, so that the server never waits for us to read
  // while we are still sending.
  const std::size_t chunk = 64;
  for (std::size_t start = 0; start < params.size(); start += chunk) {
    const std::size_t end = std::min(params.size(), start + chunk);
    for (std::size_t i = start; i < end; ++i) {
      std::vector<const char *> values = c_strings(params[i]);
      if (!libpq().PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                     nullptr, nullptr, 0))
        throw connection_error(conn_);
    }
    if (!libpq().PQpipelineSync(conn_))
      throw connection_error(conn_);
    std::optional<std::pair<std::size_t, ServerMessage>> error;
    for (std::size_t i = start; i < end; ++i) {
      // Each statement's results end with a null; a skipped one (after an
      // error) gives PGRES_PIPELINE_ABORTED.
      while (PGresult *r = await_result()) {
        if (is_error(r) && !error)
          error.emplace(i, message_of(r));
        libpq().PQclear(r);
      }
      if (!error)
        done(i);
    }
    PGresult *sync = await_result();
    const bool synced = sync && libpq().PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    libpq().PQclear(sync);
    if (!synced)
      throw ServerError(ServerMessage{"", "", "lost track of the server's replies to a batch", "", "", ""});
    if (error) {
      libpq().PQexitPipelineMode(conn_);
      throw BatchError(error->second, error->first);
    }
  }
  if (!libpq().PQexitPipelineMode(conn_))
    throw connection_error(conn_);
}

std::string Connection::label() const {
  std::string host = libpq().PQhost(conn_) ? libpq().PQhost(conn_) : "";
  return std::string(libpq().PQdb(conn_)) + "@" + host + ":" + libpq().PQport(conn_);
}

std::string describe_conninfo(const std::string &conninfo) {
  std::string dbname, host, port, user;
  auto take = [&](PQconninfoOption *options) {
    for (auto *o = options; o && o->keyword; ++o) {
      if (!o->val || !*o->val)
        continue;
      std::string key = o->keyword;
      std::string *into = key == "dbname" ? &dbname
                          : key == "host" ? &host
                          : key == "port" ? &port
                          : key == "user" ? &user
                                          : nullptr;
      if (into && into->empty())
        *into = o->val;
    }
  };
  char *err = nullptr;
  PQconninfoOption *given = conninfo.empty() ? nullptr : libpq().PQconninfoParse(conninfo.c_str(), &err);
  if (err) {
    libpq().PQfreemem(err);
    return "(conninfo libpq cannot parse)";
  }
  take(given);
  libpq().PQconninfoFree(given);
  PQconninfoOption *defaults = libpq().PQconndefaults();
  take(defaults);
  libpq().PQconninfoFree(defaults);
  if (dbname.empty())
    dbname = user;
  if (host.empty())
    host = "localhost";
  if (port.empty())
    port = "5432";
  return dbname + "@" + host + ":" + port;
}

std::vector<std::string> format_server_message(const ServerMessage &m) {
  std::vector<std::string> lines;
  std::string severity = m.severity.empty() ? "error" : m.severity;
  if (m.severity.empty())
    lines.push_back("error: " + m.message);
  else {
    // The SQLSTATE of errors only: a notice's (00000) says nothing.
    const bool error = m.severity == "ERROR" || m.severity == "FATAL" || m.severity == "PANIC";
    lines.push_back(severity + ":  " + (m.sqlstate.empty() || !error ? "" : m.sqlstate + ": ") + m.message);
  }
  auto add = [&](const char *label, const std::string &text) {
    if (text.empty())
      return;
    std::size_t start = 0;
    bool first = true;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos)
        end = text.size();
      lines.push_back((first ? std::string(label) + ":  " : std::string()) + text.substr(start, end - start));
      first = false;
      start = end + 1;
    }
  };
  add("DETAIL", m.detail);
  add("HINT", m.hint);
  add("CONTEXT", m.context);
  return lines;
}

} // namespace migrate::cli
