#include "core/revision_file.hpp"

#include "core/error.hpp"
#include "core/identifier.hpp"
#include "core/lint.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace migrate {

RevisionFileError::RevisionFileError(std::string file, std::size_t line, std::string message, std::string detail,
                                     std::string hint)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + message), file_(std::move(file)), line_(line),
      message_(std::move(message)), detail_(std::move(detail)), hint_(std::move(hint)) {}

namespace {

constexpr std::int64_t max_duration_ms = INT_MAX;
constexpr std::size_t max_quoted = 200;

bool is_blank_char(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_blank_char);
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_blank_char(s[b]))
    ++b;
  while (e > b && is_blank_char(s[e - 1]))
    --e;
  return s.substr(b, e - b);
}

// User text in a message: at most ~200 bytes, never cut inside a UTF-8 sequence.
std::string excerpt(std::string_view s) {
  if (s.size() <= max_quoted)
    return std::string(s);
  std::size_t cut = max_quoted;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string(s.substr(0, cut)) + "...";
}

// Length of the valid UTF-8 prefix of `s` (PostgreSQL's rules: no overlong
// forms, no surrogates, nothing above U+10FFFF).
std::size_t valid_utf8_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF)
      n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0)
        lo = 0xA0;
      else if (c == 0xED)
        hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F;
    } else
      return i;
    if (s.size() - i < n)
      return i;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi)
      return i;
    for (std::size_t k = 2; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return i;
    i += n;
  }
  return i;
}

struct Line {
  std::size_t number;
  std::string_view text; // without its line end and trailing \r
};

// "-- key: value": `--`, optional blanks, a key of letters, digits, '-' or
// '_' directly followed by ':'. The key is returned as written.
struct HeaderSyntax {
  std::string_view key, value;
};

std::string_view after_dashes(std::string_view line) {
  if (line.size() < 2 || line[0] != '-' || line[1] != '-')
    return {};
  std::size_t i = 2;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
    ++i;
  return line.substr(i);
}

std::optional<HeaderSyntax> header_syntax(std::string_view line) {
  if (line.size() < 2 || line[0] != '-' || line[1] != '-')
    return std::nullopt;
  std::string_view rest = after_dashes(line);
  std::size_t k = 0;
  while (k < rest.size() && ((rest[k] >= 'a' && rest[k] <= 'z') || (rest[k] >= 'A' && rest[k] <= 'Z') ||
                             (rest[k] >= '0' && rest[k] <= '9') || rest[k] == '-' || rest[k] == '_'))
    ++k;
  if (k == 0 || k >= rest.size() || rest[k] != ':')
    return std::nullopt;
  return HeaderSyntax{rest.substr(0, k), trim(rest.substr(k + 1))};
}

// A section marker: "-- migrate:NAME [ARGUMENT]". Any line that starts so is
// a marker, also inside a dollar-quoted body: the format has no escapes.
struct Marker {
  std::string_view name, argument;
};

std::optional<Marker> marker(std::string_view line) {
  if (line.size() < 2 || line[0] != '-' || line[1] != '-')
    return std::nullopt;
  std::string_view rest = after_dashes(line);
  constexpr std::string_view prefix = "migrate:";
  if (rest.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  rest = trim(rest.substr(prefix.size()));
  std::size_t space = 0;
  while (space < rest.size() && !is_blank_char(rest[space]))
    ++space;
  return Marker{rest.substr(0, space), trim(rest.substr(space))};
}

const char *const header_names[] = {
    "revision",           "revises",      "message",           "branch-labels", "depends-on", "transactional",
    "requires-backfills", "lock-timeout", "statement-timeout", "lint-ignore"};
const char *const backfill_option_names[] = {"pause", "max-batches", "max-duration"};

template <std::size_t N> std::string list_names(const char *const (&names)[N]) {
  std::string out;
  for (const char *n : names)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

template <std::size_t N> std::size_t name_index(const char *const (&names)[N], std::string_view key) {
  for (std::size_t i = 0; i < N; ++i)
    if (key == names[i])
      return i;
  return N;
}

const char *const duration_hint = "Write a whole number and a unit: 500ms, 2s, 5min, 1h or 1d (0: no limit).";

class Parser {
public:
  Parser(const std::string &path, std::string_view text, const RevisionFileOptions &options)
      : path_(path), text_(text), options_(options) {}

  RevisionFile parse() {
    file_.path = path_;
    split_lines();
    std::size_t i = 0;
    for (; i < lines_.size(); ++i) {
      const Line &line = lines_[i];
      if (is_blank(line.text))
        continue;
      if (marker(line.text))
        break;
      header(line);
    }
    if (!file_.lines.revision)
      fail(i < lines_.size() ? lines_[i].number : std::max<std::size_t>(file_.lines.last, 1),
           "no \"-- revision:\" header line before the first section", {},
           "A file starts with header lines such as \"-- revision: 20260221_01_add_users\".");
    check_headers();
    while (i < lines_.size())
      i = section(i);
    finish();
    return std::move(file_);
  }

private:
  [[noreturn]] void fail(std::size_t line, std::string message, std::string detail = {}, std::string hint = {}) {
    throw RevisionFileError(path_, line, std::move(message), std::move(detail), std::move(hint));
  }

  void split_lines() {
    std::size_t start = 0, number = 0;
    while (start < text_.size()) {
      std::size_t end = text_.find('\n', start);
      if (end == std::string_view::npos)
        end = text_.size();
      std::string_view raw = text_.substr(start, end - start);
      ++number;
      if (raw.find('\0') != std::string_view::npos)
        fail(number, "the line holds a NUL byte", {}, "Revision files are UTF-8 text.");
      std::size_t valid = valid_utf8_prefix(raw);
      if (valid != raw.size())
        fail(number, "invalid UTF-8 at byte " + std::to_string(valid + 1) + " of the line", {},
             "Revision files are UTF-8 text.");
      while (!raw.empty() && raw.back() == '\r')
        raw.remove_suffix(1);
      lines_.push_back(Line{number, raw});
      start = end + 1;
    }
    file_.lines.last = number;
  }

  // Runs a core check, turning its refusal into one that names this line.
  template <typename F> void at_line(std::size_t line, F &&check) {
    try {
      check();
    } catch (const Error &e) {
      fail(line, e.what(), e.detail(), e.hint());
    }
  }

  // A comma-separated header value; `check` refuses an item, duplicates are refused as `what`.
  template <typename Check>
  std::vector<std::string> list(const Line &line, std::string_view value, const char *what, Check &&check) {
    std::vector<std::string> out;
    if (value.empty())
      return out;
    std::size_t start = 0;
    while (true) {
      std::size_t comma = value.find(',', start);
      std::string_view item = trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
      if (item.empty())
        fail(line.number, std::string("malformed list: an empty item in \"") + excerpt(value) + "\"", {},
             "Separate items with commas: \"a1b2c3d4e5f6, 20260215_02_analytics\".");
      std::string id(item);
      check(id);
      out.push_back(std::move(id));
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    at_line(line.number, [&] { check_no_duplicates(what, out); });
    return out;
  }

  // Ids, labels or backfill names.
  std::vector<std::string> list(const Line &line, std::string_view value, const char *what) {
    return list(line, value, what,
                [&](const std::string &id) { at_line(line.number, [&] { check_identifier(what, id); }); });
  }

  // Names of migrate.lint()'s rules (core/lint.hpp).
  std::vector<std::string> rule_list(const Line &line, std::string_view value) {
    return list(line, value, "lint-ignore", [&](const std::string &name) {
      if (!lint::is_rule(name))
        fail(line.number, "lint-ignore: unknown rule \"" + excerpt(name) + "\"",
             "Known rules: " + lint::rule_names() + ".", "See docs/proving.md for what each rule checks.");
    });
  }

  std::int64_t duration(const Line &line, std::string_view key, std::string_view value) {
    auto ms = parse_duration_ms(value);
    if (!ms)
      fail(line.number, std::string(key) + ": \"" + excerpt(value) + "\" is not a duration",
           "Durations are at most 2147483647ms (about 24 days), PostgreSQL's limit for timeouts.", duration_hint);
    return *ms;
  }

  void header(const Line &line) {
    auto h = header_syntax(line.text);
    if (!h)
      fail(line.number,
           "expected a header line (-- key: value), a blank line or a section, found \"" + excerpt(line.text) + "\"",
           {}, "Comments belong inside a section, after \"-- migrate:upgrade\".");
    if (h->value.find('\r') != std::string_view::npos)
      fail(line.number, "a carriage return inside header \"" + std::string(h->key) + "\"", {},
           "Line ends may be \\n or \\r\\n; a lone \\r is no line end.");
    std::size_t index = name_index(header_names, h->key);
    if (index == std::size(header_names))
      fail(line.number, "unknown header \"" + excerpt(h->key) + "\"", {},
           "Known headers: " + list_names(header_names) + ".");
    if (header_lines_[index])
      fail(line.number, "duplicate header \"" + std::string(h->key) + "\"",
           "It is already given on line " + std::to_string(header_lines_[index]) + ".");
    header_lines_[index] = line.number;
    auto &c = file_.content;
    auto &g = c.graph;
    const std::string_view key = h->key, value = h->value;
    if (key == "revision") {
      g.id = std::string(value);
      at_line(line.number, [&] { check_identifier("revision id", g.id); });
      file_.lines.revision = line.number;
    } else if (key == "revises") {
      g.down_revisions = list(line, value, "revision id");
      file_.lines.revises = line.number;
    } else if (key == "message") {
      g.message = std::string(value);
    } else if (key == "branch-labels") {
      g.branch_labels = list(line, value, "branch label");
      file_.lines.branch_labels = line.number;
    } else if (key == "depends-on") {
      g.depends_on = list(line, value, "revision id");
      file_.lines.depends_on = line.number;
    } else if (key == "transactional") {
      if (value != "true" && value != "false")
        fail(line.number, "transactional: \"" + excerpt(value) + "\" is neither true nor false", {},
             "\"-- transactional: false\" marks a revision that runs outside a transaction "
             "(CREATE INDEX CONCURRENTLY).");
      c.transactional = value == "true";
    } else if (key == "requires-backfills") {
      c.requires_backfills = list(line, value, "backfill name");
      file_.lines.requires_backfills = line.number;
    } else if (key == "lock-timeout") {
      c.lock_timeout_ms = duration(line, key, value);
    } else if (key == "statement-timeout") {
      c.statement_timeout_ms = duration(line, key, value);
    } else if (key == "lint-ignore") {
      c.lint_ignore = rule_list(line, value);
      file_.lines.lint_ignore = line.number;
    }
  }

  // What needs several headers at once.
  void check_headers() {
    const auto &g = file_.content.graph;
    if (std::find(g.down_revisions.begin(), g.down_revisions.end(), g.id) != g.down_revisions.end())
      fail(file_.lines.revises, "revision " + g.id + " revises itself");
    if (std::find(g.depends_on.begin(), g.depends_on.end(), g.id) != g.depends_on.end())
      fail(file_.lines.depends_on, "revision " + g.id + " depends on itself");
    if (std::find(g.branch_labels.begin(), g.branch_labels.end(), g.id) != g.branch_labels.end())
      fail(file_.lines.branch_labels, "branch label \"" + g.id + "\" is the revision's own id", {},
           "Branch labels and revision ids share one namespace in targets.");
  }

  // The lines of a section's body, without blank lines at either end, joined by \n.
  std::string body(std::size_t from, std::size_t to) const {
    while (from < to && is_blank(lines_[from].text))
      ++from;
    while (to > from && is_blank(lines_[to - 1].text))
      --to;
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
      if (i > from)
        out += '\n';
      out.append(lines_[i].text.data(), lines_[i].text.size());
    }
    return out;
  }

  // The number of the first line of a body that is not blank (0: none).
  std::size_t first_nonblank(std::size_t from, std::size_t to) const {
    for (; from < to; ++from)
      if (!is_blank(lines_[from].text))
        return lines_[from].number;
    return 0;
  }

  std::size_t next_marker(std::size_t i) const {
    while (i < lines_.size() && !marker(lines_[i].text))
      ++i;
    return i;
  }

  // Parses the section whose marker is lines_[i]; returns the next marker's index.
  std::size_t section(std::size_t i) {
    const Line &line = lines_[i];
    Marker m = *marker(line.text);
    std::size_t end = next_marker(i + 1);
    auto &c = file_.content;
    if (m.name == "upgrade" || m.name == "downgrade") {
      if (!m.argument.empty())
        fail(line.number,
             "section \"" + std::string(m.name) + "\" takes no argument, found \"" + excerpt(m.argument) + "\"");
      std::size_t &seen = m.name == "upgrade" ? file_.lines.upgrade : file_.lines.downgrade;
      if (seen)
        fail(line.number, "duplicate section \"" + std::string(m.name) + "\"",
             "It is already given on line " + std::to_string(seen) + ".");
      seen = line.number;
      if (m.name == "upgrade") {
        c.upgrade_sql = body(i + 1, end);
        file_.lines.upgrade_body = first_nonblank(i + 1, end);
      } else
        c.downgrade_sql = body(i + 1, end);
      return end;
    }
    if (m.name == "backfill")
      return backfill(i, m, end);
    fail(line.number, "unknown section \"" + excerpt(m.name) + "\"", {},
         "Sections are \"-- migrate:upgrade\", \"-- migrate:downgrade\" and \"-- migrate:backfill NAME\"; any line "
         "that starts with \"-- migrate:\" is a section marker.");
  }

  std::size_t backfill(std::size_t i, const Marker &m, std::size_t end) {
    const Line &line = lines_[i];
    BackfillSpec spec;
    spec.name = std::string(m.argument);
    spec.revision = file_.content.graph.id;
    if (spec.name.empty())
      fail(line.number, "section \"backfill\" needs a name: \"-- migrate:backfill NAME\"");
    at_line(line.number, [&] { check_identifier("backfill name", spec.name); });
    for (std::size_t k = 0; k < file_.backfills.size(); ++k)
      if (file_.backfills[k].name == spec.name)
        fail(line.number, "duplicate section \"backfill " + spec.name + "\"",
             "It is already given on line " + std::to_string(file_.lines.backfills[k]) + ".");
    // Its options: the header lines right after the marker.
    std::size_t options[std::size(backfill_option_names)] = {};
    std::size_t k = i + 1;
    for (; k < end; ++k) {
      const Line &o = lines_[k];
      if (is_blank(o.text))
        continue;
      auto h = header_syntax(o.text);
      if (!h)
        break;
      std::size_t index = name_index(backfill_option_names, h->key);
      if (index == std::size(backfill_option_names))
        fail(o.number, "unknown option \"" + excerpt(h->key) + "\" of backfill " + spec.name, {},
             "Backfill options: " + list_names(backfill_option_names) +
                 ". A comment of the form \"-- word: ...\" right after the marker reads as an option.");
      if (options[index])
        fail(o.number, "duplicate option \"" + std::string(h->key) + "\" of backfill " + spec.name,
             "It is already given on line " + std::to_string(options[index]) + ".");
      options[index] = o.number;
      if (h->key == "max-batches")
        spec.limits.max_batches = max_batches(o, h->value, spec.name);
      else {
        std::int64_t ms = duration(o, h->key, h->value);
        if (h->key == "pause")
          spec.limits.pause_us = ms * 1000;
        else if (ms == 0)
          fail(o.number, "max-duration of backfill " + spec.name + " must be positive", {},
               "Leave the option out for no limit.");
        else
          spec.limits.max_duration_us = ms * 1000;
      }
    }
    spec.batch_sql = body(k, end);
    if (is_blank(spec.batch_sql))
      fail(line.number, "backfill " + spec.name + " has no batch SQL", {},
           "Write one INSERT, UPDATE, DELETE or MERGE that processes one batch, after the options.");
    at_line(line.number, [&] { check_backfill_spec(spec); });
    file_.lines.backfills.push_back(line.number);
    file_.backfills.push_back(std::move(spec));
    return end;
  }

  std::int64_t max_batches(const Line &line, std::string_view value, const std::string &name) {
    std::int64_t n = 0;
    // At most 10 digits, checked before any arithmetic: n stays below 10^10.
    bool ok = !value.empty() && value.size() <= 10;
    for (std::size_t i = 0; ok && i < value.size(); ++i) {
      if (value[i] < '0' || value[i] > '9')
        ok = false;
      else
        n = n * 10 + (value[i] - '0');
    }
    if (!ok || n < 1 || n > INT_MAX)
      fail(line.number,
           "max-batches of backfill " + name + ": \"" + excerpt(value) +
               "\" is not a whole number from 1 to 2147483647",
           {}, "Leave the option out for no limit.");
    return n;
  }

  void finish() {
    auto &c = file_.content;
    if (!file_.lines.upgrade)
      fail(file_.lines.last, "no \"-- migrate:upgrade\" section", {},
           "Every revision has one, empty only for a merge (two or more revises).");
    const bool unwritten = is_blank(c.upgrade_sql) && c.graph.down_revisions.size() < 2;
    if (unwritten && !options_.allow_empty_upgrade)
      fail(file_.lines.upgrade, "the upgrade section of revision " + c.graph.id + " is empty", {},
           "Only a merge revision (two or more revises) may have no upgrade SQL.");
    for (const auto &required : c.requires_backfills)
      for (std::size_t k = 0; k < file_.backfills.size(); ++k)
        if (file_.backfills[k].name == required)
          fail(file_.lines.requires_backfills,
               "revision " + c.graph.id + " requires its own backfill " + required +
                   ", which can only run once the revision is applied",
               {}, "Put the backfill in the revision that adds what it fills; require it in a later one.");
    // The rules every registration checks, at the revision's line.
    if (!unwritten)
      at_line(file_.lines.revision, [&] { check_content(c); });
  }

  const std::string &path_;
  std::string_view text_;
  const RevisionFileOptions &options_;
  std::vector<Line> lines_;
  std::size_t header_lines_[std::size(header_names)] = {};
  RevisionFile file_;
};

void refuse_unrepresentable(const std::string &what, const std::string &why) {
  throw Error(sqlstate::invalid_parameter_value, "cannot write " + what + " to a revision file: " + why);
}

// A body as the parser reads it back: no blank line at either end, no line
// that reads as a section marker, no \r before a line end.
void check_body(const std::string &what, const std::string &body) {
  std::size_t start = 0;
  std::size_t number = 0;
  std::string_view text = body;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++number;
    if (marker(line))
      refuse_unrepresentable(what, "line " + std::to_string(number) + " would read as a section marker");
    if (!line.empty() && line.back() == '\r')
      refuse_unrepresentable(what, "line " + std::to_string(number) + " ends with a carriage return");
    if ((start == 0 || end == text.size()) && is_blank(line) && !body.empty())
      refuse_unrepresentable(what, "it starts or ends with a blank line");
    if (line.find('\0') != std::string_view::npos || valid_utf8_prefix(line) != line.size())
      refuse_unrepresentable(what, "it is not UTF-8 text");
    if (end == text.size())
      break;
    start = end + 1;
  }
}

std::string joined(const std::vector<std::string> &items) {
  return join(items, ", ");
}

std::string duration_text(const std::string &what, std::int64_t us) {
  if (us % 1000 != 0 || us < 0 || us / 1000 > max_duration_ms)
    refuse_unrepresentable(what, "it is not a whole number of milliseconds up to 2147483647");
  return format_duration_ms(us / 1000);
}

} // namespace

RevisionFile parse_revision_file(const std::string &path, std::string_view text, const RevisionFileOptions &options) {
  return Parser(path, text, options).parse();
}

std::string render_revision_file(const RevisionContent &c, const std::vector<BackfillSpec> &backfills,
                                 const RevisionFileOptions &options) {
  const auto &g = c.graph;
  if (options.allow_empty_upgrade && is_blank(c.upgrade_sql)) {
    RevisionContent rest = c; // every other rule still holds
    rest.upgrade_sql = "-- to be written";
    check_content(rest);
  } else {
    check_content(c);
  }
  const std::string &m = g.message;
  if (m.find_first_of("\n\r") != std::string::npos || trim(m).size() != m.size() || valid_utf8_prefix(m) != m.size() ||
      m.find('\0') != std::string::npos)
    refuse_unrepresentable("the message of revision " + g.id, "it must be one line without blanks at either end");
  std::string out;
  out += "-- revision: " + g.id + "\n";
  out += "-- revises:" + (g.down_revisions.empty() ? std::string() : " " + joined(g.down_revisions)) + "\n";
  out += "-- message:" + (m.empty() ? std::string() : " " + m) + "\n";
  if (!g.branch_labels.empty())
    out += "-- branch-labels: " + joined(g.branch_labels) + "\n";
  if (!g.depends_on.empty())
    out += "-- depends-on: " + joined(g.depends_on) + "\n";
  if (!c.transactional)
    out += "-- transactional: false\n";
  if (!c.requires_backfills.empty())
    out += "-- requires-backfills: " + joined(c.requires_backfills) + "\n";
  if (c.lock_timeout_ms)
    out += "-- lock-timeout: " + duration_text("lock_timeout", *c.lock_timeout_ms * 1000) + "\n";
  if (c.statement_timeout_ms)
    out += "-- statement-timeout: " + duration_text("statement_timeout", *c.statement_timeout_ms * 1000) + "\n";
  if (!c.lint_ignore.empty())
    out += "-- lint-ignore: " + joined(c.lint_ignore) + "\n";

  auto section = [&](const std::string &marker_line, const std::string &body) {
    out += "\n" + marker_line + "\n";
    if (!body.empty())
      out += body + "\n";
  };
  check_body("the upgrade SQL of revision " + g.id, c.upgrade_sql);
  section("-- migrate:upgrade", c.upgrade_sql);
  if (c.downgrade_sql) {
    check_body("the downgrade SQL of revision " + g.id, *c.downgrade_sql);
    section("-- migrate:downgrade", *c.downgrade_sql);
  }
  for (const auto &b : backfills) {
    check_backfill_spec(b);
    const std::string what = "backfill " + b.name;
    if (b.revision != g.id)
      refuse_unrepresentable(what, "it belongs to revision " + b.revision + ", not " + g.id);
    check_body("the batch SQL of " + what, b.batch_sql);
    std::string first_line = b.batch_sql.substr(0, b.batch_sql.find('\n'));
    if (header_syntax(first_line))
      refuse_unrepresentable(what, "its SQL starts with a line that reads as an option (-- key: ...)");
    std::string options;
    if (b.limits.pause_us)
      options += "-- pause: " + duration_text(what + "'s pause", b.limits.pause_us) + "\n";
    if (b.limits.max_batches)
      options += "-- max-batches: " + std::to_string(*b.limits.max_batches) + "\n";
    if (b.limits.max_duration_us)
      options += "-- max-duration: " + duration_text(what + "'s max_duration", *b.limits.max_duration_us) + "\n";
    section("-- migrate:backfill " + b.name, options + b.batch_sql);
  }
  return out;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  text = trim(text);
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  // Ten digits at most: no overflow below, and nothing valid is longer.
  if (digits == 0 || digits > 10)
    return std::nullopt;
  std::int64_t n = 0;
  for (std::size_t i = 0; i < digits; ++i)
    n = n * 10 + (text[i] - '0');
  std::string_view unit = trim(text.substr(digits));
  std::int64_t factor;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "min")
    factor = 60 * 1000;
  else if (unit == "h")
    factor = 60 * 60 * 1000;
  else if (unit == "d")
    factor = 24 * 60 * 60 * 1000;
  else if (unit.empty() && n == 0)
    factor = 1;
  else
    return std::nullopt;
  if (n > max_duration_ms / factor)
    return std::nullopt;
  return n * factor;
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms == 0)
    return "0";
  const std::pair<std::int64_t, const char *> units[] = {
      {24 * 60 * 60 * 1000, "d"}, {60 * 60 * 1000, "h"}, {60 * 1000, "min"}, {1000, "s"}};
  for (const auto &[factor, name] : units)
    if (ms % factor == 0)
      return std::to_string(ms / factor) + name;
  return std::to_string(ms) + "ms";
}

std::string revision_slug(const std::string &message) {
  std::string slug;
  bool gap = false;
  for (char ch : message) {
    const bool word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!word) {
      gap = true;
      continue;
    }
    if (gap && !slug.empty())
      slug += '_';
    gap = false;
    slug += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  constexpr std::size_t max_slug = 40;
  if (slug.size() > max_slug) {
    slug.resize(max_slug);
    auto cut = slug.rfind('_');
    if (cut != std::string::npos && cut > 0)
      slug.resize(cut);
  }
  while (!slug.empty() && slug.back() == '_')
    slug.pop_back();
  while (!slug.empty() && slug.front() == '_')
    slug.erase(slug.begin());
  return slug;
}

std::string revision_file_name(const std::string &id, const std::string &slug) {
  const bool carries =
      id == slug || (id.size() > slug.size() && id.compare(id.size() - slug.size(), slug.size(), slug) == 0 &&
                     id[id.size() - slug.size() - 1] == '_');
  if (slug.empty() || carries)
    return id + ".sql";
  return id + "_" + slug + ".sql";
}

std::string next_date_id(const std::string &yyyymmdd, const std::string &slug,
                         const std::vector<std::string> &existing) {
  const std::string prefix = yyyymmdd + "_";
  long largest = 0;
  for (const auto &id : existing) {
    if (id.compare(0, prefix.size(), prefix) != 0)
      continue;
    std::size_t k = prefix.size(), digits = 0;
    while (k + digits < id.size() && id[k + digits] >= '0' && id[k + digits] <= '9' && digits < 9)
      ++digits;
    if (digits == 0 || (k + digits < id.size() && id[k + digits] != '_'))
      continue;
    largest = std::max(largest, std::strtol(id.substr(k, digits).c_str(), nullptr, 10));
  }
  std::string number = std::to_string(largest + 1);
  if (number.size() < 2)
    number = "0" + number;
  std::string id = prefix + number;
  if (!slug.empty())
    id += "_" + slug;
  return id.substr(0, 128);
}

} // namespace migrate
