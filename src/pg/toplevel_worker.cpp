#include "pg/toplevel_worker.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/procedure.hpp"
#include "pg/sql_check.hpp"

#include <algorithm>
#include <vector>

namespace migrate::pg {

namespace {

// What the caller and its worker share, in a DSM segment.
struct WorkerTask {
  Oid database;
  Oid session_user;
  int caller_pid; // the worker runs nothing unless this backend still holds the engine's lock
  TimestampTz caller_started;
  Oid role; // the caller's current role (SET ROLE), which the statement runs as
  bool role_is_superuser;
  std::size_t search_path_at; // the caller's search_path, whole: in statement[], after the statement
  char lock_timeout[64];
  char statement_timeout[64];
  // Written by the worker:
  int status; // task_pending until the worker reports
  int sqlerrcode;
  char message[1024];
  char detail[1024];
  char hint[512];
  char context[1024];
  char statement[FLEXIBLE_ARRAY_MEMBER];
};

enum { task_pending = 0, task_done = 1, task_failed = 2 };

void copy_text(char *to, std::size_t size, const char *from) {
  strlcpy(to, from ? from : "", size);
}

// Plain C, under pg_call. A DSM segment holding the task for one statement.
dsm_segment *make_task(const char *statement, std::size_t length) {
  const char *path = namespace_search_path ? namespace_search_path : "";
  const std::size_t path_length = strlen(path);
  dsm_segment *seg = dsm_create(offsetof(WorkerTask, statement) + length + 1 + path_length + 1, 0);
  auto *task = static_cast<WorkerTask *>(dsm_segment_address(seg));
  memset(task, 0, offsetof(WorkerTask, statement));
  task->database = MyDatabaseId;
  task->session_user = GetSessionUserId();
  task->caller_pid = MyProcPid;
  task->caller_started = MyStartTimestamp;
  task->role = GetUserId();
  task->role_is_superuser = superuser();
  copy_text(task->lock_timeout, sizeof task->lock_timeout, GetConfigOption("lock_timeout", false, false));
  copy_text(task->statement_timeout, sizeof task->statement_timeout,
            GetConfigOption("statement_timeout", false, false));
  memcpy(task->statement, statement, length);
  task->statement[length] = '\0';
  task->search_path_at = length + 1;
  memcpy(task->statement + task->search_path_at, path, path_length + 1);
  task->status = task_pending;
  return seg;
}

// Plain C, under pg_call. Returns NULL when no worker slot is free.
BackgroundWorkerHandle *start_worker(dsm_segment *seg, const char *revision) {
  BackgroundWorker worker;
  memset(&worker, 0, sizeof worker);
  snprintf(worker.bgw_name, BGW_MAXLEN, "migrate worker for revision %s", revision);
  snprintf(worker.bgw_type, BGW_MAXLEN, "migrate worker");
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "migrate");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "migrate_toplevel_worker_main");
  worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
  worker.bgw_notify_pid = MyProcPid;
  BackgroundWorkerHandle *handle = nullptr;
  // The handle outlives any transaction or portal: the exit callback may use
  // it after another callback has aborted the transaction.
  MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
  const bool registered = RegisterDynamicBackgroundWorker(&worker, &handle);
  MemoryContextSwitchTo(old);
  return registered ? handle : nullptr;
}

// The worker this backend is waiting for, if any. The worker must not outlive
// its caller: an error stops it (run_in_worker), and so does every other way
// out of this backend (pg_terminate_backend, a lost client, postmaster death,
// any FATAL), through stop_worker_at_exit.
BackgroundWorkerHandle *running_worker = nullptr;

// Plain C: asks the postmaster to terminate the worker (or not to start it)
// and waits until it is gone. Checks no interrupt, so that it also runs in
// an error path and in proc_exit.
void stop_worker(BackgroundWorkerHandle *handle) {
  TerminateBackgroundWorker(handle);
  pid_t pid;
  for (long waited_ms = 0;; waited_ms += 100) {
    BgwHandleStatus status = GetBackgroundWorkerPid(handle, &pid);
    if (status == BGWH_STOPPED || status == BGWH_POSTMASTER_DIED)
      return;
    int rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_POSTMASTER_DEATH, 100, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    if (rc & WL_POSTMASTER_DEATH)
      return; // every backend and worker goes with the postmaster
    if (waited_ms > 0 && waited_ms % 10000 == 0)
      elog(LOG, "migrate: still waiting for the migrate worker (pid %d) to exit", (int)pid);
  }
}

// A before_shmem_exit callback. Those run last registered first, and this
// one is registered (once, at the first worker) long after InitPostgres's
// ShutdownPostgres, which releases the session's advisory locks: so the
// engine's lock is still held until the worker is gone, and a run() waiting
// for it cannot start while this one's worker runs.
void stop_worker_at_exit(int, Datum) {
  if (BackgroundWorkerHandle *handle = running_worker) {
    running_worker = nullptr;
    stop_worker(handle);
  }
}

// Plain C: whether the client of this backend has gone away (PostgreSQL 14+'s
// client_connection_check_interval test, made here because a backend waiting
// on its latch reads and writes nothing on the socket and so would not notice).
bool client_gone() {
  return whereToSendOutput == DestRemote && MyProcPort != nullptr && WaitEventSetCanReportClosed() &&
         !pq_check_connection();
}

// Plain C, under pg_call: waits, interruptibly, until the worker has exited.
// A cancel raises here (the caller stops the worker); a terminate, a lost
// client or postmaster death exits the backend (stop_worker_at_exit stops it).
void wait_for_worker(BackgroundWorkerHandle *handle) {
  pid_t pid;
  while (GetBackgroundWorkerPid(handle, &pid) != BGWH_STOPPED) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    if (client_gone()) {
      // What ProcessInterrupts does when client_connection_check_interval
      // finds the client gone: FATAL "connection to client lost".
      ClientConnectionLost = true;
      InterruptPending = true;
    }
    CHECK_FOR_INTERRUPTS();
  }
}

// Plain C, under pg_call: the schema-qualified name of an INVALID index that
// this named CREATE INDEX CONCURRENTLY would collide with, or NULL.
char *invalid_index_in_the_way(IndexStmt *stmt) {
  if (!stmt->concurrent || !stmt->idxname)
    return nullptr;
  Oid table = RangeVarGetRelid(stmt->relation, NoLock, true);
  if (!OidIsValid(table))
    return nullptr;
  Oid schema = get_rel_namespace(table);
  Oid index = get_relname_relid(stmt->idxname, schema);
  if (!OidIsValid(index))
    return nullptr;
  HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
  if (!HeapTupleIsValid(tuple))
    return nullptr;
  bool valid = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple))->indisvalid;
  ReleaseSysCache(tuple);
  if (valid)
    return nullptr;
  return pstrdup(quote_qualified_identifier(get_namespace_name(schema), stmt->idxname));
}

void statement_error_context(void *arg) {
  errcontext("%s", static_cast<const char *>(arg));
}

// Runs one statement in a worker and raises its failure, if any.
void run_in_worker(const std::string &revision, const std::string &statement, const std::string &context) {
  const char *text = statement.c_str();
  const std::size_t length = statement.size();
  // A snapshot held here would make CREATE INDEX CONCURRENTLY in the worker
  // wait for this backend, which waits for the worker.
  pg_call([] { InvalidateCatalogSnapshot(); });
  if (pg_call([] { return HaveRegisteredOrActiveSnapshot() || TransactionIdIsValid(MyProc->xmin); }))
    throw Error(sqlstate::internal_error, "migrate: the runner holds a snapshot while starting a worker", {},
                "Commit before run_at_top_level(): a procedure's query after a commit keeps a portal snapshot.");
  dsm_segment *seg = pg_call([&] { return make_task(text, length); });
  static bool exit_callback_registered = false;
  if (!exit_callback_registered) {
    pg_call([] { before_shmem_exit(stop_worker_at_exit, 0); });
    exit_callback_registered = true;
  }
  // No interrupt is checked between the start and running_worker's assignment.
  BackgroundWorkerHandle *handle = pg_call([&] { return running_worker = start_worker(seg, revision.c_str()); });
  if (!handle)
    throw Error("53000", "could not start a background worker for revision " + revision,
                "Every background worker slot is in use (max_worker_processes).",
                "Raise max_worker_processes, or wait for other workers (pg_cron jobs, parallel queries) to finish.");
  try {
    pg_call([&] { wait_for_worker(handle); });
  } catch (...) {
    try {
      pg_call([&] { stop_worker(handle); });
    } catch (...) {
    }
    running_worker = nullptr;
    try {
      pg_call([&] { pfree(handle); });
    } catch (...) {
    }
    throw;
  }
  running_worker = nullptr;
  pg_call([&] { pfree(handle); });
  auto *task = static_cast<WorkerTask *>(pg_call([&] { return dsm_segment_address(seg); }));
  if (task->status == task_done) {
    pg_call([&] { dsm_detach(seg); });
    return;
  }
  if (task->status == task_pending)
    throw Error(sqlstate::internal_error, context + ": the background worker exited without reporting",
                "Statement: " + excerpt(statement), "The server log says why (search for \"migrate worker\").");
  // The worker's error, raised here as if this backend had run the statement.
  const char *where = context.c_str();
  pg_call([&] {
    ErrorContextCallback callback;
    callback.callback = statement_error_context;
    callback.arg = const_cast<char *>(where);
    callback.previous = error_context_stack;
    error_context_stack = &callback;
    ereport(ERROR,
            (errcode(task->sqlerrcode), errmsg_internal("%s", task->message),
             task->detail[0] ? errdetail_internal("%s", task->detail) : 0,
             task->hint[0] ? errhint("%s", task->hint) : 0, task->context[0] ? errcontext("%s", task->context) : 0));
  });
}

} // namespace

void wait_for_earlier_workers() {
  session_lock(worker_lock_key);
  session_unlock(worker_lock_key);
}

void run_at_top_level(const std::string &revision, const std::string &sql, const std::string &context) {
  const char *source = sql.c_str();
  List *parsed = pg_call([&] { return raw_parser(source, RAW_PARSE_DEFAULT); });
  const int count = list_length(parsed);
  for (int i = 0; i < count; ++i) {
    auto *raw = static_cast<RawStmt *>(list_nth(parsed, i));
    std::string statement = statement_text(sql, raw);
    if (IsA(raw->stmt, IndexStmt)) {
      auto *index = castNode(IndexStmt, raw->stmt);
      if (char *in_the_way = pg_call([&] { return invalid_index_in_the_way(index); })) {
        std::string drop = std::string("DROP INDEX CONCURRENTLY ") + in_the_way;
        const char *name = in_the_way;
        pg_call([&] {
          ereport(NOTICE, (errmsg("dropping invalid index %s, left by an earlier failed or cancelled build", name)));
        });
        run_in_worker(revision, drop, context + ", dropping an invalid index");
      }
    }
    run_in_worker(revision, statement,
                  context + ", statement " + std::to_string(i + 1) + " of " + std::to_string(count) +
                      " (outside a transaction)");
  }
}

} // namespace migrate::pg

namespace {

// The worker: plain C from here (no C++ object lives in these frames, which
// longjmp on error).
void execute_statement(const char *sql) {
  MemoryContext parse_context = AllocSetContextCreate(TopMemoryContext, "migrate worker parse", ALLOCSET_DEFAULT_SIZES);
  MemoryContext old = MemoryContextSwitchTo(parse_context);
  List *parsed = pg_parse_query(sql);
  MemoryContextSwitchTo(old);
  if (list_length(parsed) != 1)
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("migrate worker: expected one statement")));
  RawStmt *raw = linitial_node(RawStmt, parsed);
  CommandTag tag = CreateCommandTag(raw->stmt);
  set_ps_display(GetCommandTagName(tag));
  bool snapshot = analyze_requires_snapshot(raw);
  if (snapshot)
    PushActiveSnapshot(GetTransactionSnapshot());
  old = MemoryContextSwitchTo(parse_context); // outlives the statement's own commits (CONCURRENTLY)
  List *queries = pg_analyze_and_rewrite_fixedparams(raw, sql, nullptr, 0, nullptr);
  List *plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, nullptr);
  if (snapshot)
    PopActiveSnapshot();
  CHECK_FOR_INTERRUPTS();
  Portal portal = CreatePortal("", true, true);
  portal->visible = false;
  PortalDefineQuery(portal, nullptr, sql, tag, plans, nullptr);
  PortalStart(portal, nullptr, 0, InvalidSnapshot);
  DestReceiver *receiver = CreateDestReceiver(DestNone);
  MemoryContextSwitchTo(old);
  QueryCompletion qc;
  (void)PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);
  receiver->rDestroy(receiver);
  PortalDrop(portal, false);
}

// The task of this worker, for record_fatal.
migrate::pg::WorkerTask *worker_task = nullptr;
emit_log_hook_type previous_emit_log_hook = nullptr;

void copy_error(migrate::pg::WorkerTask *task, const ErrorData *e) {
  task->sqlerrcode = e->sqlerrcode;
  strlcpy(task->message, e->message ? e->message : "", sizeof task->message);
  strlcpy(task->detail, e->detail ? e->detail : "", sizeof task->detail);
  strlcpy(task->hint, e->hint ? e->hint : "", sizeof task->hint);
  strlcpy(task->context, e->context ? e->context : "", sizeof task->context);
  task->status = migrate::pg::task_failed;
}

// An emit_log_hook: a FATAL (pg_terminate_backend of the worker, a shutdown)
// exits without unwinding to PG_CATCH; record it so that the caller can say
// why its worker stopped.
void record_fatal(ErrorData *e) {
  if (e->elevel >= FATAL && worker_task && worker_task->status == migrate::pg::task_pending)
    copy_error(worker_task, e);
  if (previous_emit_log_hook)
    previous_emit_log_hook(e);
}

// Whether the backend that started this worker is still there (same pid,
// same start) and still holds the engine's lock, that is, still runs the
// migrate.run() that wants this statement. Inside a transaction.
bool caller_still_running(const migrate::pg::WorkerTask *task) {
  using migrate::engine_lock_key;
  const char *sql = "SELECT EXISTS (SELECT FROM pg_catalog.pg_stat_get_activity($1) a "
                    "WHERE a.backend_start OPERATOR(pg_catalog.=) $2) "
                    "AND EXISTS (SELECT FROM pg_catalog.pg_locks l WHERE l.pid OPERATOR(pg_catalog.=) $1 "
                    "AND l.granted AND l.locktype OPERATOR(pg_catalog.=) 'advisory' "
                    "AND l.database OPERATOR(pg_catalog.=) $3 AND l.classid OPERATOR(pg_catalog.=) $4 "
                    "AND l.objid OPERATOR(pg_catalog.=) $5 AND l.objsubid OPERATOR(pg_catalog.=) 1)";
  Oid types[5] = {INT4OID, TIMESTAMPTZOID, OIDOID, OIDOID, OIDOID};
  Datum values[5] = {Int32GetDatum(task->caller_pid), TimestampTzGetDatum(task->caller_started),
                     ObjectIdGetDatum(task->database),
                     ObjectIdGetDatum(static_cast<Oid>(static_cast<std::uint64_t>(engine_lock_key) >> 32)),
                     ObjectIdGetDatum(static_cast<Oid>(static_cast<std::uint64_t>(engine_lock_key) & 0xffffffffu))};
  SPI_connect();
  PushActiveSnapshot(GetTransactionSnapshot());
  if (SPI_execute_with_args(sql, 5, types, values, nullptr, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("migrate worker: could not look for its caller")));
  bool isnull = false;
  bool running = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
  PopActiveSnapshot();
  SPI_finish();
  return running && !isnull;
}

} // namespace

extern "C" PGDLLEXPORT void migrate_toplevel_worker_main(Datum arg);

extern "C" void migrate_toplevel_worker_main(Datum arg) {
  using migrate::worker_lock_key;
  using migrate::pg::task_done;
  using migrate::pg::task_failed;
  using migrate::pg::WorkerTask;
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  CurrentResourceOwner = ResourceOwnerCreate(nullptr, "migrate worker");
  dsm_segment *seg = dsm_attach(DatumGetUInt32(arg));
  if (!seg)
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("migrate worker: the caller's shared memory is gone")));
  auto *task = static_cast<WorkerTask *>(dsm_segment_address(seg));
  worker_task = task;
  previous_emit_log_hook = emit_log_hook;
  emit_log_hook = record_fatal;
  BackgroundWorkerInitializeConnectionByOid(task->database, task->session_user, 0);
  SetConfigOption("application_name", "migrate worker", PGC_USERSET, PGC_S_SESSION);
  SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION); // for caller_still_running
  MemoryContext worker_context = CurrentMemoryContext;
  PG_TRY();
  {
    // This worker's own lock, held until it exits: a later run() waits for it
    // before it plans. Then, holding it, the worker runs nothing unless its
    // caller still runs: a run() that got the engine's lock after this
    // worker's caller lost it either waits for this lock (taken before) or
    // is seen here as the end of that caller's run (taken after).
    StartTransactionCommand();
    (void)DirectFunctionCall1(pg_advisory_lock_int8, Int64GetDatum(worker_lock_key));
    const bool caller_running = caller_still_running(task);
    CommitTransactionCommand();
    if (!caller_running)
      ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                      errmsg("migrate worker: the migrate.run() that started it is gone; nothing was run")));
    SetConfigOption("search_path", task->statement + task->search_path_at, PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("lock_timeout", task->lock_timeout, PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("statement_timeout", task->statement_timeout, PGC_USERSET, PGC_S_SESSION);
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    SetCurrentRoleId(task->role, task->role_is_superuser);
    pgstat_report_activity(STATE_RUNNING, task->statement);
    execute_statement(task->statement);
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
    task->status = task_done;
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(worker_context);
    ErrorData *e = CopyErrorData();
    copy_error(task, e);
    EmitErrorReport();
    FlushErrorState();
    AbortCurrentTransaction();
  }
  PG_END_TRY();
  worker_task = nullptr;
  dsm_detach(seg);
  proc_exit(0); // releases worker_lock_key
}
