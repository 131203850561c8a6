// Rules for the names users type: revision ids and branch labels.
#pragma once

#include <string>
#include <vector>

namespace migrate {

// Words with a meaning of their own in a target; a revision or label so named
// would make `head`, `base`... ambiguous.
bool is_reserved_word(const std::string &word);

// True for [A-Za-z0-9_]{1,128}.
bool is_valid_identifier(const std::string &value);

// Throws migrate::Error (22023) naming `what` ("revision id", "branch label")
// when `value` is not a valid identifier or is a reserved word.
void check_identifier(const char *what, const std::string &value);

// Throws when a list names the same element twice.
void check_no_duplicates(const char *what, const std::vector<std::string> &values);

} // namespace migrate
