#include "pg/statement_observer.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_class_d.h"
#include "catalog/pg_namespace.h"
#include "utils/inval.h"
}

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

namespace migrate::pg {

using HeldLock = StatementObserver::HeldLock;
using LockTables = StatementObserver::LockTables;
static_assert(std::tuple_size<LockTables>::value == NUM_LOCK_PARTITIONS + 1);

namespace {

// --------------------------------------------------------------- invalidations

StatementObserver::Invalidated *recording = nullptr; // set while a statement runs

// Called by PostgreSQL for each relation cache invalidation processed (those
// of this transaction at each command counter increment). Must not throw.
void relcache_changed(Datum, Oid relid) noexcept {
  if (!recording)
    return;
  if (!OidIsValid(relid)) {
    recording->all = true;
    return;
  }
  if (relid < FirstNormalObjectId)
    return;
  try {
    recording->relids.push_back(relid);
  } catch (...) {
    recording->all = true;
  }
}

void listen_for_invalidations() {
  static bool registered = false; // a callback cannot be unregistered: once per backend
  if (registered)
    return;
  pg_call([] { CacheRegisterRelcacheCallback(relcache_changed, PointerGetDatum(nullptr)); });
  registered = true;
}

// ----------------------------------------------------------------------- locks

// This backend's locks on user relations of this database, as pg_locks
// shows them, read where GetLockStatusData() reads them for pg_locks but
// for this backend only (pg_locks copies every backend's locks: at each
// statement of a long plan that was most of a rehearsal's own cost): its
// fast-path slots, then its PROCLOCKs, one queue per lock partition, each
// read under its LWLock (another backend may move this one's fast-path locks
// into the main table). Kept in that order: a new PROCLOCK goes to the end
// of its partition's queue.
void read_locks(LockTables &tables) {
  for (auto &table : tables) {
    const std::size_t room = table.size() + 64; // grown before any LWLock is held
    table.clear();
    table.reserve(room);
  }
  PGPROC *proc = MyProc;
  pg_call([&] { LWLockAcquire(&proc->fpInfoLock, LW_SHARED); });
  for (int slot = 0; slot < FP_LOCK_SLOTS_PER_BACKEND; ++slot) {
    // lock.c's FAST_PATH_GET_BITS: three bits per slot, for modes 1 to 3.
    const int bits = static_cast<int>((proc->fpLockBits >> (3 * slot)) & 7);
    const Oid relid = proc->fpRelId[slot];
    if (bits && relid >= FirstNormalObjectId)
      tables[0].push_back({&proc->fpRelId[slot], relid, bits << 1});
  }
  pg_call([&] { LWLockRelease(&proc->fpInfoLock); });
  for (int partition = 0; partition < NUM_LOCK_PARTITIONS; ++partition) {
    LWLock *partition_lock = LockHashPartitionLockByIndex(partition);
    pg_call([&] { LWLockAcquire(partition_lock, LW_SHARED); });
    SHM_QUEUE *queue = &proc->myProcLocks[partition];
    auto *proclock = reinterpret_cast<PROCLOCK *>(SHMQueueNext(queue, queue, offsetof(PROCLOCK, procLink)));
    while (proclock) {
      const LOCKTAG &tag = proclock->tag.myLock->tag;
      if (proclock->holdMask && tag.locktag_type == LOCKTAG_RELATION && tag.locktag_field1 == MyDatabaseId &&
          tag.locktag_field2 >= FirstNormalObjectId)
        tables[partition + 1].push_back({proclock, tag.locktag_field2, proclock->holdMask});
      proclock = reinterpret_cast<PROCLOCK *>(SHMQueueNext(queue, &proclock->procLink, offsetof(PROCLOCK, procLink)));
    }
    pg_call([&] { LWLockRelease(partition_lock); });
  }
}

// ---------------------------------------------------------------- pg_class rows

struct ClassRow {
  NameData name;
  Oid nsp = InvalidOid;
  Oid filenode = InvalidOid;
};

// Plain C, under pg_call: `relid`'s pg_class row as the catalog shows it now.
bool class_row_now(Oid relid, ClassRow *out) {
  HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
  if (!HeapTupleIsValid(tuple))
    return false;
  auto *c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
  out->name = c->relname;
  out->nsp = c->relnamespace;
  out->filenode = c->relfilenode;
  ReleaseSysCache(tuple);
  return true;
}

// Plain C, under pg_call: the row of `oid` in `catalog` (through its oid
// index) as `snapshot` sees it, copied; nullptr when it has none.
HeapTuple row_as_of(Oid catalog, Oid index, AttrNumber oid_column, Oid oid, Snapshot snapshot) {
  Relation rel = table_open(catalog, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, oid_column, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(oid));
  SysScanDesc scan = systable_beginscan(rel, index, true, snapshot, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  HeapTuple copy = HeapTupleIsValid(tuple) ? heap_copytuple(tuple) : nullptr;
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return copy;
}

// Plain C, under pg_call: `relid`'s pg_class row before the statement.
bool class_row_before(Oid relid, Snapshot before, ClassRow *out) {
  HeapTuple tuple = row_as_of(RelationRelationId, ClassOidIndexId, Anum_pg_class_oid, relid, before);
  if (!tuple)
    return false;
  auto *c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
  out->name = c->relname;
  out->nsp = c->relnamespace;
  out->filenode = c->relfilenode;
  heap_freetuple(tuple);
  return true;
}

// Plain C, under pg_call: "schema.name", quoted as quote_ident quotes; the
// schema's name as it was before the statement when the statement dropped it.
char *qualified_name(const ClassRow *row, Snapshot before) {
  char *nsp = get_namespace_name(row->nsp);
  if (!nsp && before) {
    if (HeapTuple tuple = row_as_of(NamespaceRelationId, NamespaceOidIndexId, Anum_pg_namespace_oid, row->nsp, before))
      nsp = pstrdup(NameStr(reinterpret_cast<Form_pg_namespace>(GETSTRUCT(tuple))->nspname));
  }
  return quote_qualified_identifier(nsp ? nsp : psprintf("schema %u", row->nsp), NameStr(row->name));
}

// The statement's first command id in a snapshot taken now: it sees the
// catalog as it was before the statement (rows the statement deleted or
// updated are still visible to it, rows it inserted are not).
class BeforeSnapshot {
public:
  explicit BeforeSnapshot(CommandId command) : command_(command) {}
  Snapshot get() {
    if (!snapshot_) {
      const CommandId command = command_;
      snapshot_ = pg_call([&] {
        Snapshot s = RegisterSnapshot(GetLatestSnapshot()); // a copy of its own
        s->curcid = command;
        return s;
      });
    }
    return snapshot_;
  }
  // On an error the subtransaction's abort releases it.
  void release() {
    if (snapshot_)
      pg_call([&] { UnregisterSnapshot(snapshot_); });
    snapshot_ = nullptr;
  }

private:
  CommandId command_;
  Snapshot snapshot_ = nullptr;
};

// The relation's name, as it is now or, when the statement dropped it, as it
// was; nullopt for a TOAST relation and for one that exists neither before
// nor after the statement (the new heap of a rewrite, swapped in and dropped).
std::optional<std::string> name_of(Oid relid, BeforeSnapshot &before) {
  ClassRow row;
  Snapshot snapshot = nullptr;
  bool found = pg_call([&] { return class_row_now(relid, &row); });
  if (!found) {
    snapshot = before.get();
    found = pg_call([&] { return class_row_before(relid, snapshot, &row); });
  }
  if (!found || pg_call([&] { return IsToastNamespace(row.nsp); }))
    return std::nullopt;
  return std::string(pg_call([&] { return qualified_name(&row, snapshot); }));
}

// Whether the statement gave `relid` (or the relation that has its name
// now) a new relfilenode; its name as it was if so.
std::optional<std::string> rewritten(Oid relid, BeforeSnapshot &before) {
  ClassRow old, now;
  Snapshot snapshot = before.get();
  if (!pg_call([&] { return class_row_before(relid, snapshot, &old); }))
    return std::nullopt; // created by the statement
  if (!OidIsValid(old.filenode) || pg_call([&] { return IsToastNamespace(old.nsp); }))
    return std::nullopt; // no storage of its own (or a mapped catalog), or TOAST
  bool found = pg_call([&] { return class_row_now(relid, &now); });
  if (!found) {
    const Oid renewed = pg_call([&] { return get_relname_relid(NameStr(old.name), old.nsp); });
    found = OidIsValid(renewed) && pg_call([&] { return class_row_now(renewed, &now); });
  }
  if (!found || now.filenode == old.filenode)
    return std::nullopt;
  return std::string(pg_call([&] { return qualified_name(&old, snapshot); }));
}

std::optional<std::int64_t> affected_rows(const Statement &statement, std::uint64_t rows) {
  switch (nodeTag(statement.raw->stmt)) {
  case T_InsertStmt:
  case T_UpdateStmt:
  case T_DeleteStmt:
  case T_MergeStmt:
  case T_SelectStmt:
  case T_CreateTableAsStmt:
  case T_CopyStmt:
    return static_cast<std::int64_t>(rows);
  default:
    return std::nullopt;
  }
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

StatementObserver::StatementObserver() {
  listen_for_invalidations();
  read_locks(held_);
  for (const auto &table : held_)
    for (const auto &lock : table)
      ever_[lock.relid] |= lock.mask;
}

StatementObserver::~StatementObserver() {
  if (recording == &invalidated_)
    recording = nullptr;
}

void StatementObserver::before(const Statement &statement) {
  current_ = statement.number;
  // The statement's changes get command ids from this one on.
  command_ = pg_call([] {
    CommandCounterIncrement();
    return GetCurrentCommandId(false);
  });
  invalidated_ = Invalidated{};
  recording = &invalidated_;
  started_ns_ = now_ns();
}

void StatementObserver::after(const Statement &statement, std::uint64_t rows) {
  StatementEffects e;
  e.number = statement.number;
  e.duration_us = (now_ns() - started_ns_) / 1000;
  e.rows = affected_rows(statement, rows);
  pg_call([] { CommandCounterIncrement(); }); // the statement's last invalidations
  recording = nullptr;

  BeforeSnapshot before(command_);
  LockTables now;
  for (std::size_t t = 0; t < now.size(); ++t)
    now[t].reserve(held_[t].size() + 16);
  read_locks(now);
  std::vector<std::pair<std::string, int>> locks; // (relation, mode)
  for (std::size_t t = 0; t < now.size(); ++t) {
    const auto &was = held_[t];
    for (std::size_t i = 0; i < now[t].size(); ++i) {
      const HeldLock &lock = now[t][i];
      // The same place as before: only its new modes count; a new place
      // (a new PROCLOCK, or a lock moved out of a fast-path slot): the
      // modes this transaction never held on the relation.
      const bool same = i < was.size() && was[i].where == lock.where && was[i].relid == lock.relid;
      int added = lock.mask & ~(same ? was[i].mask : 0);
      if (!added)
        continue;
      int &ever = ever_[lock.relid];
      added &= ~ever;
      ever |= lock.mask;
      if (!added)
        continue;
      const auto name = name_of(lock.relid, before);
      if (!name)
        continue;
      for (int mode = 1; mode <= MaxLockMode; ++mode)
        if (added & LOCKBIT_ON(mode))
          locks.emplace_back(*name, mode);
    }
  }
  held_ = std::move(now);
  std::sort(locks.begin(), locks.end());
  locks.erase(std::unique(locks.begin(), locks.end()), locks.end());
  for (const auto &[name, mode] : locks)
    e.locks.push_back(std::string(pg_call([mode = mode] { return GetLockmodeName(DEFAULT_LOCKMETHOD, mode); })) +
                      " on " + name);

  // A rewrite needs an ACCESS EXCLUSIVE lock: after a whole-cache reset,
  // every relation so held is a candidate.
  std::set<unsigned> candidates(invalidated_.relids.begin(), invalidated_.relids.end());
  if (invalidated_.all)
    for (const auto &table : held_)
      for (const auto &lock : table)
        if (lock.mask & LOCKBIT_ON(AccessExclusiveLock))
          candidates.insert(lock.relid);
  std::set<std::string> names;
  for (unsigned relid : candidates)
    if (auto name = rewritten(relid, before))
      names.insert(*name);
  e.rewritten.assign(names.begin(), names.end());
  before.release();
  effects_.push_back(std::move(e));
}

std::vector<StatementEffects> StatementObserver::take() {
  return std::exchange(effects_, {});
}

} // namespace migrate::pg
