#pragma once
// RedisServer: a private redis-server child process on 127.0.0.1, with its
// data (append-only file) and log in a folder we own. Used by the embedded
// mode (`redis: auto`) and by every test that needs Redis. The server runs
// with appendonly yes, no RDB snapshots, protected mode, and optionally a
// password; restart() brings it back on the same port and folder, reloading
// the append-only file, so fault tests can kill and revive it.
//
// Not thread-safe: one thread owns a RedisServer. Clients connect with
// options() from any thread. The server dies with the thread that started it
// (PR_SET_PDEATHSIG, see child_process.h), so start it from a thread that
// lives as long as the server should.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/redis/redis_client.h"

namespace bigpe {

class ChildProcess;

struct RedisServerOptions {
  std::string data_dir;          // required; created if missing
  int port = 0;                  // 0 = a free loopback port
  std::string password;          // requirepass when non-empty
  bool fsync_always = false;     // appendfsync always (default everysec)
  std::string executable;        // empty = redis-server on PATH, else /usr/bin/redis-server
  std::chrono::milliseconds start_timeout{15000};
};

class RedisServer {
 public:
  // Starts the server and waits (bounded by start_timeout) until it answers
  // and has loaded its data. Throws RedisError with the tail of the server's
  // log when it cannot start.
  explicit RedisServer(RedisServerOptions options);
  // Stops the server (SIGTERM: it flushes the append-only file).
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  // redis://127.0.0.1:PORT (no password; see options()).
  std::string url() const;
  // Ready for RedisClient, password included.
  RedisOptions options() const;
  const std::string& data_dir() const { return options_.data_dir; }
  std::string log_path() const;
  std::string config_path() const;
  bool running() const;
  // The redis-server process (-1 before start or after stop). It runs in a
  // process group of its own: a Ctrl-C meant for its owner never reaches it.
  pid_t pid() const;
  // How it ended once running() is false (shell convention: the exit code,
  // or 128 + the signal); nullopt while it runs and after stop() or kill().
  std::optional<int> exit_status() const;

  // Graceful stop (SIGTERM, SIGKILL after a grace period); no-op when
  // stopped.
  void stop();
  // SIGKILL, as a crash would; no-op when stopped.
  void kill();
  // Stops if running, then starts again on the same port and folder.
  void restart();

 private:
  void start();
  void write_config() const;
  std::string log_tail() const;
  RedisServerOptions options_;
  int port_ = 0;
  std::string executable_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace bigpe
