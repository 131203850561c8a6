#include "cli/args.hpp"

#include "cli/cli.hpp"

namespace migrate::cli {

Args::Args(const std::vector<std::string> &args, std::initializer_list<OptionSpec> specs) {
  auto by_long = [&](const std::string &name) -> const OptionSpec * {
    for (const auto &s : specs)
      if (name == s.long_name)
        return &s;
    return nullptr;
  };
  auto by_short = [&](char c) -> const OptionSpec * {
    for (const auto &s : specs)
      if (s.short_name && s.short_name == c)
        return &s;
    return nullptr;
  };
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    const OptionSpec *spec = nullptr;
    std::optional<std::string> inline_value;
    std::string shown = a;
    if (a[1] == '-') {
      std::string name = a.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
        shown = "--" + name;
      }
      spec = by_long(name);
    } else if (a.size() == 2) {
      spec = by_short(a[1]);
    } else if (a[1] >= '0' && a[1] <= '9') {
      positional_.push_back(a); // "-1": a relative target, not an option
      continue;
    }
    if (!spec) {
      for (const char *global : {"--dir", "--dsn", "--dsn-file", "--jobs"})
        if (shown == global)
          throw UsageError(shown + " is a global option: give it before the command (pg_migrate " + shown +
                           " ... COMMAND)");
      throw UsageError("unknown option " + shown);
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value)
        value = *inline_value;
      else if (i + 1 < args.size())
        value = args[++i];
      else
        throw UsageError("option " + shown + " needs a value");
    } else if (inline_value) {
      throw UsageError("option " + shown + " takes no value");
    }
    values_[spec->long_name].push_back(value);
  }
}

std::optional<std::string> Args::value(const char *long_name) const {
  auto it = values_.find(long_name);
  if (it == values_.end())
    return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::values(const char *long_name) const {
  auto it = values_.find(long_name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

void Args::expect_positional(std::size_t min, std::size_t max, const char *usage) const {
  if (positional_.size() < min)
    throw UsageError(std::string("missing argument; usage: pg_migrate ") + usage);
  if (positional_.size() > max)
    throw UsageError("unexpected argument \"" + positional_[max] + "\"; usage: pg_migrate " + usage);
}

int parse_count(const std::string &text, int min, int max, const char *what) {
  long n = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if (!ok || n < min || n > max)
    throw UsageError(std::string(what) + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not \"" + text + "\"");
  return static_cast<int>(n);
}

} // namespace migrate::cli
