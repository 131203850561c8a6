#include "cli/libpq.hpp"

#include "cli/connection.hpp"

#include <atomic>
#include <dlfcn.h>
#include <string>

#ifndef MIGRATE_LIBPQ_LIBDIR
#define MIGRATE_LIBPQ_LIBDIR ""
#endif

namespace migrate::cli {

namespace {

std::atomic<const LibPq *> loaded{nullptr};

void *open_libpq() {
  if (void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL))
    return h;
  std::string first = dlerror();
  const std::string libdir = MIGRATE_LIBPQ_LIBDIR;
  if (!libdir.empty())
    if (void *h = dlopen((libdir + "/libpq.so.5").c_str(), RTLD_NOW | RTLD_LOCAL))
      return h;
  throw ServerError(
      ServerMessage{"", "", "cannot load libpq: " + first, "", "Install libpq (apt-get install libpq5).", ""});
}

template <class F> void bind(void *handle, F &slot, const char *name) {
  slot = reinterpret_cast<F>(dlsym(handle, name));
  if (!slot)
    throw ServerError(
        ServerMessage{"", "", std::string("libpq lacks ") + name + " (libpq 14 or later is needed)", "", "", ""});
}

LibPq load() {
  void *h = open_libpq();
  LibPq api{};
  bind(h, api.PQcancel, "PQcancel");
  bind(h, api.PQclear, "PQclear");
  bind(h, api.PQconndefaults, "PQconndefaults");
  bind(h, api.PQconnectdbParams, "PQconnectdbParams");
  bind(h, api.PQconninfoFree, "PQconninfoFree");
  bind(h, api.PQconninfoParse, "PQconninfoParse");
  bind(h, api.PQconsumeInput, "PQconsumeInput");
  bind(h, api.PQdb, "PQdb");
  bind(h, api.PQenterPipelineMode, "PQenterPipelineMode");
  bind(h, api.PQerrorMessage, "PQerrorMessage");
  bind(h, api.PQexitPipelineMode, "PQexitPipelineMode");
  bind(h, api.PQfinish, "PQfinish");
  bind(h, api.PQfreeCancel, "PQfreeCancel");
  bind(h, api.PQfreemem, "PQfreemem");
  bind(h, api.PQgetCancel, "PQgetCancel");
  bind(h, api.PQgetResult, "PQgetResult");
  bind(h, api.PQgetisnull, "PQgetisnull");
  bind(h, api.PQgetvalue, "PQgetvalue");
  bind(h, api.PQhost, "PQhost");
  bind(h, api.PQisBusy, "PQisBusy");
  bind(h, api.PQntuples, "PQntuples");
  bind(h, api.PQpipelineSync, "PQpipelineSync");
  bind(h, api.PQport, "PQport");
  bind(h, api.PQresultErrorField, "PQresultErrorField");
  bind(h, api.PQresultErrorMessage, "PQresultErrorMessage");
  bind(h, api.PQresultStatus, "PQresultStatus");
  bind(h, api.PQsendQueryParams, "PQsendQueryParams");
  bind(h, api.PQsetNoticeReceiver, "PQsetNoticeReceiver");
  bind(h, api.PQsocket, "PQsocket");
  bind(h, api.PQstatus, "PQstatus");
  return api; // the library stays loaded for the life of the process
}

} // namespace

const LibPq &libpq() {
  static const LibPq api = load();
  loaded.store(&api);
  return api;
}

const LibPq *libpq_if_loaded() {
  return loaded.load();
}

} // namespace migrate::cli
