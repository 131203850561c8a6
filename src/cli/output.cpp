#include "cli/output.hpp"

#include "cli/cli.hpp"
#include "core/revision_directory.hpp"

#include <algorithm>
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

std::string plural(std::size_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

namespace {

std::size_t display_width(const std::string &s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80; // every byte but UTF-8 continuation bytes
  return n;
}

std::string one_line(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r' || c == '\t')
      c = ' ';
  return s;
}

} // namespace

std::vector<std::string> format_table(const std::vector<std::string> &header,
                                      const std::vector<std::vector<std::string>> &rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t k = 0; k < header.size(); ++k)
    width[k] = display_width(header[k]);
  std::vector<std::vector<std::string>> cells;
  for (const auto &row : rows) {
    cells.emplace_back();
    for (std::size_t k = 0; k < header.size(); ++k) {
      cells.back().push_back(one_line(k < row.size() ? row[k] : ""));
      width[k] = std::max(width[k], display_width(cells.back().back()));
    }
  }
  auto line = [&](const std::vector<std::string> &values) {
    std::string s;
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (k)
        s += " | ";
      s += values[k];
      if (k + 1 < values.size())
        s.append(width[k] - display_width(values[k]), ' ');
    }
    while (!s.empty() && s.back() == ' ') // an empty last cell
      s.pop_back();
    return s;
  };
  std::vector<std::string> out{line(header)};
  std::string rule;
  for (std::size_t k = 0; k < width.size(); ++k)
    rule += (k ? "-+-" : "") + std::string(width[k], '-');
  out.push_back(rule);
  for (const auto &row : cells)
    out.push_back(line(row));
  return out;
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
  std::string line = what_ + ": ";
  if (total_ || done_) // nothing counted yet and no total (a rehearsal): the time only
    line += std::to_string(done_) + (total_ ? "/" + std::to_string(total_) : "") + ", ";
  line += std::to_string(seconds) + " s";
  out_.status(line);
}

} // namespace migrate::cli
