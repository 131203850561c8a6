#include "pg/checksum.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

namespace migrate::pg {

std::string sha256_hex(const std::string &data) {
  uint8 digest[PG_SHA256_DIGEST_LENGTH];
  char hex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
  const auto *bytes = reinterpret_cast<const uint8 *>(data.data());
  const size_t len = data.size();
  bool ok = pg_call([&] {
    pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
    bool fine = ctx && pg_cryptohash_init(ctx) == 0 && pg_cryptohash_update(ctx, bytes, len) == 0 &&
                pg_cryptohash_final(ctx, digest, sizeof(digest)) == 0;
    pg_cryptohash_free(ctx);
    if (fine)
      hex[hex_encode(reinterpret_cast<const char *>(digest), sizeof(digest), hex)] = '\0';
    return fine;
  });
  if (!ok)
    throw Error(sqlstate::internal_error, "could not compute a SHA-256 checksum");
  return std::string(hex);
}

} // namespace migrate::pg
