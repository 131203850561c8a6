// A command's own options and arguments: "-m MSG", "--message MSG",
// "--message=MSG", flags, repeatable options, positionals; "--" ends options.
// Anything unknown or missing is bad usage (exit 2).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace migrate::cli {

struct OptionSpec {
  const char *long_name; // "message" for --message
  char short_name;       // 'm' for -m, 0 for none
  bool takes_value;
};

class Args {
public:
  // Throws UsageError for an unknown option or a missing value.
  Args(const std::vector<std::string> &args, std::initializer_list<OptionSpec> specs);

  bool flag(const char *long_name) const { return values_.count(long_name) > 0; }
  std::optional<std::string> value(const char *long_name) const; // the last one given
  std::vector<std::string> values(const char *long_name) const;  // every one, in order
  const std::vector<std::string> &positional() const { return positional_; }

  // Throws UsageError unless min <= positionals <= max.
  void expect_positional(std::size_t min, std::size_t max, const char *usage) const;

private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// A whole number in [min, max]; throws UsageError naming `what`.
int parse_count(const std::string &text, int min, int max, const char *what);

} // namespace migrate::cli
