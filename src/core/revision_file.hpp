// Revisions kept as files in git, one per file (versions/<id>_<slug>.sql):
// header lines, then sections. The format is a contract (docs/cli.md);
// extend it, never rename. The parser is a function of (file name, text):
// reading directories is the caller's business.
//
//   -- revision: 20260221_01_add_users
//   -- revises: 20260215_02_analytics, 9b2a6f9e5c1d
//   -- message: add users
//   -- lint-ignore: table-rewrite      (optional: migrate.lint() rules silenced for it)
//
//   -- migrate:upgrade
//   CREATE TABLE users (id bigint PRIMARY KEY);
//
//   -- migrate:downgrade
//   DROP TABLE users;
#pragma once

#include "core/backfill.hpp"
#include "core/revision_content.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace migrate {

// A refusal of a revision file: which file, which line (1-based; 0 when the
// refusal concerns no line), and why. what() is "file:line: message".
class RevisionFileError : public std::runtime_error {
public:
  RevisionFileError(std::string file, std::size_t line, std::string message, std::string detail = {},
                    std::string hint = {});

  const std::string &file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  const std::string &message() const noexcept { return message_; }
  const std::string &detail() const noexcept { return detail_; }
  const std::string &hint() const noexcept { return hint_; }

private:
  std::string file_;
  std::size_t line_;
  std::string message_, detail_, hint_;
};

// Where a file declares what the graph checks look at, so that a refusal
// found later (an unknown parent, a label used twice) names the right line.
// 0: not declared.
struct RevisionFileLines {
  std::size_t revision = 0, revises = 0, depends_on = 0, branch_labels = 0, requires_backfills = 0, lint_ignore = 0;
  std::size_t upgrade = 0, downgrade = 0;
  // The first line of the upgrade SQL (the body starts there, blank lines
  // after the marker left out): line N of upgrade_sql is line
  // upgrade_body + N - 1 of the file, for lint findings. 0: no SQL.
  std::size_t upgrade_body = 0;
  std::vector<std::size_t> backfills; // the marker line of each backfill, in file order
  std::size_t last = 0;               // the file's last line
};

struct RevisionFile {
  std::string path; // as the caller named it, for messages
  RevisionContent content;
  std::vector<BackfillSpec> backfills; // in file order; each one's revision is content.graph.id
  RevisionFileLines lines;
};

// Parses one file. Throws RevisionFileError at the first problem: an unknown
// or repeated header, a missing `-- revision:` line, text before the first
// section that is neither a header nor blank, a malformed list or duration, an
// invalid id or label, an unknown or repeated section, no upgrade section,
// invalid UTF-8 or a NUL byte. Line ends may be \n or \r\n (a body keeps \n).
struct RevisionFileOptions {
  // A file fresh from `pg_migrate new` has an empty upgrade section: fine for
  // looking at the graph (heads, history, new again), refused by anything
  // that checks or loads revisions.
  bool allow_empty_upgrade = false;
};
RevisionFile parse_revision_file(const std::string &path, std::string_view text,
                                 const RevisionFileOptions &options = {});

// The text of a file that parse_revision_file reads back as exactly this
// revision and these backfills. Throws migrate::Error (22023) for content a
// file cannot hold: a message that is not one trimmed line, a body line that
// would read as a section marker, a backfill whose SQL starts with a line
// that reads as an option, durations that are not whole milliseconds.
// allow_empty_upgrade: the template `new` writes, to be filled in.
std::string render_revision_file(const RevisionContent &content, const std::vector<BackfillSpec> &backfills,
                                 const RevisionFileOptions &options = {});

// Durations as files write them: a whole number and a unit (ms, s, min, h,
// d), or 0. Milliseconds, at most 2147483647 (PostgreSQL's timeouts are int
// milliseconds). nullopt when `text` is not such a duration.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// The shortest form parse_duration_ms reads back as `ms` (≥ 0): "2s", "5min", "500ms".
std::string format_duration_ms(std::int64_t ms);

// Naming new files (`pg_migrate new`).
// Alembic's slug of a message: lowercased, every run of other characters
// than letters and digits one '_', trimmed of '_', at most 40 characters.
std::string revision_slug(const std::string &message);
// "<id>_<slug>.sql"; "<id>.sql" when the slug is empty or the id already
// ends with it (date-style ids carry their slug).
std::string revision_file_name(const std::string &id, const std::string &slug);
// A date-style id, YYYYMMDD_NN[_slug]: NN is one more than the largest NN of
// that day among `existing` ids (01 for the first), two digits or more.
std::string next_date_id(const std::string &yyyymmdd, const std::string &slug,
                         const std::vector<std::string> &existing);

} // namespace migrate
