#pragma once
// RunLock: an exclusive advisory lock (flock) on <folder>/.lock, held by the
// process that owns a run folder's services (its private redis-server, its
// broker and workers). A second process that wants the folder's data either
// takes the lock (nobody runs there: it may start the folder's redis-server
// itself) or finds it held and attaches to the live services named in
// live.json (live_endpoints.h). Two redis-servers must never open one
// append-only file, and this is what prevents it. The kernel drops the lock
// when the process dies, so a killed run never leaves a stale lock.
//
// Thread-safety: one owner; the lock is per open file, shared by the
// process's threads.
#include <optional>
#include <string>

namespace bigpe::engine {

class RunLock {
 public:
  // Takes the lock or returns nullopt when another process holds it.
  // Throws std::runtime_error naming the folder when it cannot be created.
  static std::optional<RunLock> try_acquire(const std::string& folder);
  // Takes the lock or throws std::runtime_error saying the folder is in use.
  static RunLock acquire(const std::string& folder);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace bigpe::engine
