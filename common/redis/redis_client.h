#pragma once
// RedisClient: a synchronous connection to one redis-server (hiredis 0.14).
//
// Not thread-safe: use one client per thread. Every error is a RedisError
// whose message names the command that failed and why (connection refused,
// timeout, the server's error reply). After a connection error the next call
// reconnects once before failing; a call that finds the connection closed by
// the server (e.g. after a restart) reconnects and resends, up to 3 times (a
// timeout is not resent: the command may have run). Failures of the connection rather
// than of the command are RedisConnectionError. The first client made sets SIGPIPE
// to ignored when it is at its default, since hiredis writes with write(2).
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace bigpe {

class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The connection failed, not the command: refused or unreachable past the
// reconnect window, cut or timed out mid-command, or the server declared
// gone. The server may be fine for others; retrying later may succeed.
class RedisConnectionError : public RedisError {
 public:
  using RedisError::RedisError;
};

// What the owner of a private redis-server says when it will not come back
// (it died and could not be restarted): every client made with options
// that carry it stops waiting out its reconnect window and fails at once
// with the reason. Thread-safe.
class RedisServerGone {
 public:
  void declare(const std::string& reason);
  // The reason once declared, else empty.
  std::string reason() const;

 private:
  mutable std::mutex mutex_;
  std::string reason_;
};

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;  // AUTH when non-empty; never logged
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{30000};
  // How long a call keeps trying to reconnect to a server that went away
  // (connection refused while it restarts), or resending to one that
  // answers LOADING (reading its file after a restart), before failing;
  // nothing has run then, so retrying is always safe. 0 = a single attempt. The first
  // connection (the constructor) never waits: a wrong address fails fast.
  std::chrono::milliseconds reconnect_window{0};
  // The window long-running processes (scheduler, worker) use: long enough
  // for a restarted redis-server to load its append-only file.
  static constexpr std::chrono::milliseconds kRestartWindow{20000};
  // Set by a RedisSupervisor for its server's clients; null: nobody says.
  std::shared_ptr<const RedisServerGone> gone;

  // redis://[:password@]host[:port][/db]. Without a password in the url it
  // comes from the environment: BIGPE_REDIS_PASSWORD, else the first line of
  // the file named by BIGPE_REDIS_PASSWORD_FILE. Throws std::invalid_argument
  // naming the url part (or the file) that is wrong, never the password.
  static RedisOptions from_url(const std::string& url);
  // The first line of `path`. Throws std::invalid_argument naming the file.
  static std::string read_password_file(const std::string& path);
  std::string url_without_password() const;
};

class RedisClient {
 public:
  // Connects (and AUTHs / SELECTs); throws RedisError on failure.
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command; a server error reply throws RedisError naming the command.
  RedisReply command(const std::vector<std::string>& argv);

  // Many commands in one round trip. Returns one reply per command, in
  // order; error replies are returned (not thrown) so the caller can tell
  // which command failed. Connection failures throw.
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);

  // MULTI, commands..., EXEC in one round trip; returns EXEC's replies.
  // Throws if the transaction was aborted or any command errored.
  std::vector<RedisReply> transaction(const std::vector<std::vector<std::string>>& commands);

  const RedisOptions& options() const { return options_; }

 private:
  void connect();
  void reconnect();  // connect(), retried with backoff within reconnect_window
  RedisOptions options_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bigpe
