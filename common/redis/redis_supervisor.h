#pragma once
// RedisSupervisor: a private redis-server kept alive for as long as a run
// needs it. A thread of its own starts the server, watches it, and when it
// dies unasked (an OOM kill, a crash) restarts it on the same port from its
// append-only file, at most max_restarts times. A SIGKILLed server loses
// nothing (acknowledged writes are in the page cache), and clients made
// with options() ride a restart out within their reconnect window
// (RedisOptions::kRestartWindow), so a run goes on as if nothing happened.
// When the server cannot be restarted (restarts used up or off, or the
// start fails), the supervisor says why once, in the log and to every
// client (RedisServerGone): they fail at once instead of waiting out their
// window, and failure() holds the reason for whoever waits on other things.
//
// Thread-safety: the supervisor's thread owns the RedisServer (a child dies
// with the thread that forked it, see child_process.h); the public methods
// are safe from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"

namespace bigpe {

struct RedisSupervisorOptions {
  RedisServerOptions server;
  int max_restarts = 3;  // 0: a death is final
  // How often the thread looks at the server: a death is noticed within
  // this, far inside a client's reconnect window.
  std::chrono::milliseconds check_interval{50};
};

class RedisSupervisor {
 public:
  // Starts the server; throws RedisError (with the server's log) when it
  // does not come up.
  explicit RedisSupervisor(RedisSupervisorOptions options);
  // Stops the server (SIGTERM: it flushes its append-only file).
  ~RedisSupervisor();
  RedisSupervisor(const RedisSupervisor&) = delete;
  RedisSupervisor& operator=(const RedisSupervisor&) = delete;

  // For clients: the server's address and password, and its RedisServerGone.
  RedisOptions options() const;
  // Why the server is gone for good; empty while it serves.
  std::string failure() const { return gone_->reason(); }
  int restarts() const { return restarts_.load(); }

 private:
  void watch();
  void after_death(RedisServer& server);

  RedisSupervisorOptions options_;
  std::shared_ptr<RedisServerGone> gone_ = std::make_shared<RedisServerGone>();
  RedisOptions client_options_;  // written by the thread before the constructor returns
  std::string where_;            // "127.0.0.1:PORT (dir D)", likewise
  std::atomic<int> restarts_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under mutex_
  bool started_ = false;   // under mutex_
  std::exception_ptr start_error_;  // under mutex_
  std::thread thread_;
};

}  // namespace bigpe
