#pragma once

#include <string>

namespace migrate::pg {

// Hex SHA-256 of `data`, computed by PostgreSQL's cryptohash.
std::string sha256_hex(const std::string &data);

} // namespace migrate::pg
