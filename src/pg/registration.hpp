// Registering revisions (registration.cpp): what migrate.revision() and
// migrate.merge() share.
#pragma once

#include "core/revision_content.hpp"

namespace migrate::pg {

// Registers one revision (insert, no-op or update of a pending one) with every
// check migrate.revision() makes. The caller is connected to SPI in VOLATILE
// mode and holds the engine lock.
void register_content(const RevisionContent &content);

} // namespace migrate::pg
