#include "cli/read_fd.hpp"

#include <cerrno>
#include <unistd.h>

namespace migrate::cli {

std::string read_to_end(int fd, bool regular_file, int &error) {
  std::string text;
  char buf[65536];
  error = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = errno;
      break;
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<std::size_t>(n));
    if (regular_file && static_cast<std::size_t>(n) < sizeof buf)
      break;
  }
  return text;
}

} // namespace migrate::cli
