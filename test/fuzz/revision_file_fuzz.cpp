// libFuzzer target for the revision-file parser. Besides "never crash, never
// hang", it checks the writer against the parser: whatever parses renders to a
// text that parses back to the same revision and renders to the same text.
//   clang++-14 -fsanitize=fuzzer,address,undefined -std=c++17 -Isrc \
//     test/fuzz/revision_file_fuzz.cpp src/core/*.cpp -o build/revision_file_fuzz
#include "core/error.hpp"
#include "core/revision_directory.hpp"
#include "core/revision_file.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void require(bool ok) {
  if (!ok)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  migrate::RevisionFile file;
  try {
    file = migrate::parse_revision_file("fuzz.sql", text);
  } catch (const migrate::RevisionFileError &e) {
    require(e.line() >= 1);
    return 0;
  }
  const std::string rendered = migrate::render_revision_file(file.content, file.backfills);
  auto again = migrate::parse_revision_file("fuzz.sql", rendered);
  require(migrate::canonical_form(again.content) == migrate::canonical_form(file.content));
  require(again.content.lock_timeout_ms == file.content.lock_timeout_ms);
  require(again.content.statement_timeout_ms == file.content.statement_timeout_ms);
  require(again.backfills.size() == file.backfills.size());
  for (std::size_t i = 0; i < file.backfills.size(); ++i) {
    require(migrate::backfill_canonical_form(again.backfills[i]) ==
            migrate::backfill_canonical_form(file.backfills[i]));
    require(again.backfills[i].limits.pause_us == file.backfills[i].limits.pause_us);
    require(again.backfills[i].limits.max_batches == file.backfills[i].limits.max_batches);
    require(again.backfills[i].limits.max_duration_us == file.backfills[i].limits.max_duration_us);
  }
  require(migrate::render_revision_file(again.content, again.backfills) == rendered);
  // One valid file is a valid directory unless it names what is not there.
  try {
    migrate::RevisionDirectory directory({{"fuzz.sql", text}});
    require(directory.graph().size() == 1);
  } catch (const migrate::RevisionFileErrors &e) {
    require(!e.errors().empty());
  }
  return 0;
}
