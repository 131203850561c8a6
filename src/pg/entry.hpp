// Declares an SQL-callable function whose whole body is `impl`, run under the
// error guard: the only way this extension defines entry points.
#pragma once

#include "pg/guard.hpp"

#define MIGRATE_SQL_FUNCTION(sql_name, impl)                                                                           \
  extern "C" {                                                                                                         \
  PG_FUNCTION_INFO_V1(sql_name);                                                                                       \
  }                                                                                                                    \
  extern "C" Datum sql_name(PG_FUNCTION_ARGS) {                                                                        \
    return migrate::pg::guard([fcinfo]() -> Datum { return impl(fcinfo); });                                           \
  }
