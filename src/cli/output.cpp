#include "cli/output.hpp"

#include "cli/cli.hpp"
#include "core/revision_directory.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace migrate::cli {

void Output::server_message(const ServerMessage &m) {
  for (const auto &line : format_server_message(m))
    log(line);
}

void Output::failure(const Failure &f) {
  server_message(ServerMessage{"", "", f.what(), f.detail, f.hint, ""});
}

void Output::file_errors(const RevisionFileErrors &e) {
  for (const auto &error : e.errors()) {
    log(error.what());
    if (!error.detail().empty())
      log("DETAIL:  " + error.detail());
    if (!error.hint().empty())
      log("HINT:  " + error.hint());
  }
  if (e.errors().size() > 1)
    log(std::to_string(e.errors().size()) + " errors in the revision files");
}

namespace {

bool stderr_is_terminal() {
  const char *term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

} // namespace

Console::Console() : tty_(stderr_is_terminal()) {}

Console &console() {
  static Console c;
  return c;
}

void Console::write(int fd, const std::string &text) {
  const char *p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0)
      return; // a closed pipe: nothing useful to do
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void Console::clear_status() {
  if (status_shown_) {
    write(STDERR_FILENO, "\r\033[K");
    status_shown_ = false;
  }
}

void Console::out(const std::string &line) {
  std::lock_guard<std::mutex> lock(mutex_);
  clear_status();
  write(STDOUT_FILENO, line + "\n");
}

void Console::log(const std::string &line) {
  std::lock_guard<std::mutex> lock(mutex_);
  clear_status();
  write(STDERR_FILENO, line + "\n");
}

void Console::status(const std::string &line) {
  if (!tty_)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (line.empty()) {
    clear_status();
    return;
  }
  write(STDERR_FILENO, "\r\033[K" + line);
  status_shown_ = true;
}

Progress::Progress(Output &out, std::string what, std::size_t total)
    : out_(out), what_(std::move(what)), total_(total), start_(std::chrono::steady_clock::now()), drawn_(start_) {}

Progress::~Progress() {
  out_.status("");
}

void Progress::advance(std::size_t done) {
  done_ = done;
  draw();
}

void Progress::tick() {
  if (std::chrono::steady_clock::now() - drawn_ >= std::chrono::seconds(1))
    draw();
}

void Progress::draw() {
  drawn_ = std::chrono::steady_clock::now();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(drawn_ - start_).count();
  std::string line = what_ + ": " + std::to_string(done_);
  if (total_)
    line += "/" + std::to_string(total_);
  line += ", " + std::to_string(seconds) + " s";
  out_.status(line);
}

} // namespace migrate::cli
