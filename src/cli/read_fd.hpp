// Reading a file descriptor to its end: revision files (one read() when the
// file is smaller than the buffer) and the pipe from import-alembic's
// Python helper share it.
#pragma once

#include <string>

namespace migrate::cli {

// Reads `fd` to its end (EINTR retried). `regular_file`: a read shorter than
// asked is the end of the file, so a small file costs one read(). On a read
// error returns what was read before it and sets `error` to errno (0: none).
std::string read_to_end(int fd, bool regular_file, int &error);

} // namespace migrate::cli
