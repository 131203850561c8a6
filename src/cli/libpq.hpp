// libpq, loaded when pg_migrate first connects. The commands that only read
// revision files never connect, and linking libpq would make every start
// load it and the libraries it needs (Kerberos, LDAP, GnuTLS...): 3.6 ms of
// CPU at each start, a third of `pg_migrate heads` on 1,000 files.
// The functions are libpq's own, with libpq-fe.h's types.
#pragma once

#include <libpq-fe.h>

namespace migrate::cli {

struct LibPq {
  decltype(&::PQcancel) PQcancel;
  decltype(&::PQclear) PQclear;
  decltype(&::PQconndefaults) PQconndefaults;
  decltype(&::PQconnectdbParams) PQconnectdbParams;
  decltype(&::PQconninfoFree) PQconninfoFree;
  decltype(&::PQconninfoParse) PQconninfoParse;
  decltype(&::PQconsumeInput) PQconsumeInput;
  decltype(&::PQdb) PQdb;
  decltype(&::PQenterPipelineMode) PQenterPipelineMode;
  decltype(&::PQerrorMessage) PQerrorMessage;
  decltype(&::PQexitPipelineMode) PQexitPipelineMode;
  decltype(&::PQfinish) PQfinish;
  decltype(&::PQfreeCancel) PQfreeCancel;
  decltype(&::PQfreemem) PQfreemem;
  decltype(&::PQgetCancel) PQgetCancel;
  decltype(&::PQgetResult) PQgetResult;
  decltype(&::PQgetisnull) PQgetisnull;
  decltype(&::PQgetvalue) PQgetvalue;
  decltype(&::PQhost) PQhost;
  decltype(&::PQisBusy) PQisBusy;
  decltype(&::PQntuples) PQntuples;
  decltype(&::PQpipelineSync) PQpipelineSync;
  decltype(&::PQport) PQport;
  decltype(&::PQresultErrorField) PQresultErrorField;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage;
  decltype(&::PQresultStatus) PQresultStatus;
  decltype(&::PQsendQueryParams) PQsendQueryParams;
  decltype(&::PQsetNoticeReceiver) PQsetNoticeReceiver;
  decltype(&::PQsocket) PQsocket;
  decltype(&::PQstatus) PQstatus;
};

// Loads libpq.so.5 (the dynamic linker's search, then the libdir pg_config
// named at build time) on the first call. Throws ServerError when it cannot.
const LibPq &libpq();

// Only once libpq() has returned: for the SIGINT handler, which must not load anything.
const LibPq *libpq_if_loaded();

} // namespace migrate::cli
