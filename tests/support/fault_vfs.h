// A SQLite VFS that wraps the real one (real files underneath) and fails on command: the Nth write
// or sync returns an I/O error, as a full disk or a failing SD card would. Like SQLite's own test
// VFS and leveldb's SpecialEnv, it injects faults into the real thing rather than mocking it.
#pragma once

namespace upw::testing {

inline constexpr const char* kFaultVfs = "upw-fault";

// Registers the VFS (idempotent).
void RegisterFaultVfs();
// From now on, the n-th write-or-sync call (1-based) and every later one fails; 0 disables.
void FailWritesFrom(int n);
// Whether any call has been failed since the last FailWritesFrom.
bool FaultTriggered();

}  // namespace upw::testing
