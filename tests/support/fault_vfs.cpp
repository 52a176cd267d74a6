#include "fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace upw::testing {

namespace {

std::atomic<int> g_fail_from{0};
std::atomic<int> g_calls{0};
std::atomic<bool> g_triggered{false};
sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

struct FaultFile {
  sqlite3_file base;  // must be first: SQLite sees this struct as a sqlite3_file
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

bool ShouldFail() {
  const int from = g_fail_from.load();
  if (from == 0) return false;
  if (++g_calls >= from) {
    g_triggered = true;
    return true;
  }
  return false;
}

int Close(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  const int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
  sqlite3_free(r);
  return rc;
}
int Read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
  return Real(f)->pMethods->xRead(Real(f), b, n, o);
}
int Write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
  if (ShouldFail()) return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), b, n, o);
}
int Truncate(sqlite3_file* f, sqlite3_int64 s) { return Real(f)->pMethods->xTruncate(Real(f), s); }
int Sync(sqlite3_file* f, int flags) {
  if (ShouldFail()) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* s) { return Real(f)->pMethods->xFileSize(Real(f), s); }
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckReserved(sqlite3_file* f, int* o) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), o);
}
int FileControl(sqlite3_file* f, int op, void* a) {
  return Real(f)->pMethods->xFileControl(Real(f), op, a);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceChars(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int p, int sz, int e, void volatile** pp) {
  return Real(f)->pMethods->xShmMap(Real(f), p, sz, e, pp);
}
int ShmLock(sqlite3_file* f, int o, int n, int fl) {
  return Real(f)->pMethods->xShmLock(Real(f), o, n, fl);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int d) { return Real(f)->pMethods->xShmUnmap(Real(f), d); }

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->base.pMethods = nullptr;
  ff->real = static_cast<sqlite3_file*>(sqlite3_malloc(g_real->szOsFile));
  if (ff->real == nullptr) return SQLITE_NOMEM;
  std::memset(ff->real, 0, static_cast<std::size_t>(g_real->szOsFile));
  const int rc = g_real->xOpen(g_real, name, ff->real, flags, out);
  if (rc != SQLITE_OK) {
    if (ff->real->pMethods) ff->real->pMethods->xClose(ff->real);
    sqlite3_free(ff->real);
    return rc;
  }
  ff->base.pMethods = &g_methods;
  return SQLITE_OK;
}
int Delete(sqlite3_vfs*, const char* n, int s) { return g_real->xDelete(g_real, n, s); }
int Access(sqlite3_vfs*, const char* n, int fl, int* o) {
  return g_real->xAccess(g_real, n, fl, o);
}
int FullPath(sqlite3_vfs*, const char* n, int sz, char* o) {
  return g_real->xFullPathname(g_real, n, sz, o);
}
int Randomness(sqlite3_vfs*, int n, char* o) { return g_real->xRandomness(g_real, n, o); }
int Sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int CurrentTime(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int LastError(sqlite3_vfs*, int n, char* b) { return g_real->xGetLastError(g_real, n, b); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
  return g_real->xCurrentTimeInt64(g_real, t);
}

}  // namespace

void RegisterFaultVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    g_methods = sqlite3_io_methods{2,           Close,      Read,        Write,  Truncate,
                                   Sync,        FileSize,   Lock,        Unlock, CheckReserved,
                                   FileControl, SectorSize, DeviceChars, ShmMap, ShmLock,
                                   ShmBarrier,  ShmUnmap,   nullptr,     nullptr};
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = sizeof(FaultFile);
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = kFaultVfs;
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPath;
    g_vfs.xRandomness = Randomness;
    g_vfs.xSleep = Sleep;
    g_vfs.xCurrentTime = CurrentTime;
    g_vfs.xGetLastError = LastError;
    g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    sqlite3_vfs_register(&g_vfs, 0);
  });
}

void FailWritesFrom(int n) {
  g_calls = 0;
  g_triggered = false;
  g_fail_from = n;
}

bool FaultTriggered() { return g_triggered; }

}  // namespace upw::testing
