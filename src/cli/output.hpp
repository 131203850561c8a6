// Where a command's lines go. Results go to stdout, log lines (Alembic's
// INFO lines, notices, errors) to stderr, as Alembic does. On a terminal a
// progress line is kept at the bottom of stderr; never when stderr is piped.
// A fleet gives each database a buffer, printed as a block when it is done.
#pragma once

#include "cli/connection.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace migrate {
class RevisionFileErrors;
}

namespace migrate::cli {

class Failure;

class Output {
public:
  virtual ~Output() = default;
  virtual void out(const std::string &line) = 0; // a result
  virtual void log(const std::string &line) = 0; // a log line
  // A transient status line (progress), "" to take it away; ignored unless
  // stderr is a terminal.
  virtual void status(const std::string &) {}

  // Alembic's log format: "INFO  [alembic.runtime.migration] Running upgrade a -> b, msg".
  void info(const std::string &logger, const std::string &message) { log("INFO  [" + logger + "] " + message); }
  void server_message(const ServerMessage &m);
  void failure(const Failure &f);
  void file_errors(const RevisionFileErrors &e);
};

// The process's own stdout and stderr.
class Console : public Output {
public:
  Console();
  void out(const std::string &line) override;
  void log(const std::string &line) override;
  void status(const std::string &line) override;

private:
  void clear_status(); // with mutex_ held
  void write(int fd, const std::string &line);
  bool tty_;
  bool status_shown_ = false;
  std::mutex mutex_;
};

Console &console();

// Lines kept for later, in order, each marked as a result or a log line.
class Buffered : public Output {
public:
  struct Line {
    bool result;
    std::string text;
  };
  void out(const std::string &line) override { lines_.push_back({true, line}); }
  void log(const std::string &line) override { lines_.push_back({false, line}); }
  const std::vector<Line> &lines() const { return lines_; }

private:
  std::vector<Line> lines_;
};

// "1 revision", "3 revisions".
std::string plural(std::size_t n, const char *one, const char *many);

// Rows as an aligned table, psql's way: a header line, a rule of dashes, one
// line per row, columns separated by " | ". Widths count UTF-8 characters.
// A cell holds one line (newlines and tabs become spaces).
std::vector<std::string> format_table(const std::vector<std::string> &header,
                                      const std::vector<std::vector<std::string>> &rows);

// A progress line for one long step: "upgrade: 3/10 revisions, 12 s". Redrawn
// when told, and at most once a second from a connection's tick.
class Progress {
public:
  Progress(Output &out, std::string what, std::size_t total);
  ~Progress();
  void advance(std::size_t done);
  void tick();

private:
  void draw();
  Output &out_;
  std::string what_;
  std::size_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_, drawn_;
};

} // namespace migrate::cli
