#include "common/redis/redis_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/child_process.h"
#include "common/free_port.h"

namespace bigpe {

namespace fs = std::filesystem;

namespace {

// Quoted for redis.conf: double quotes with backslash escapes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string find_executable(const std::string& configured) {
  if (!configured.empty()) {
    if (::access(configured.c_str(), X_OK) != 0)
      throw RedisError("redis-server: '" + configured + "' is not an executable file");
    return configured;
  }
  if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    std::size_t start = 0;
    while (start <= dirs.size()) {
      std::size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string dir = dirs.substr(start, end - start);
      if (!dir.empty()) {
        std::string candidate = dir + "/redis-server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      }
      start = end + 1;
    }
  }
  if (::access("/usr/bin/redis-server", X_OK) == 0) return "/usr/bin/redis-server";
  throw RedisError("redis-server: not found on PATH nor at /usr/bin/redis-server (install the redis-server package)");
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) throw RedisError("redis-server: data_dir is required");
  std::error_code ec;
  fs::create_directories(options_.data_dir, ec);
  if (ec)
    throw RedisError("redis-server: cannot create data dir '" + options_.data_dir + "': " + ec.message());
  options_.data_dir = fs::absolute(options_.data_dir).lexically_normal().string();
  executable_ = find_executable(options_.executable);

  // A port picked for us may be taken by someone else before the server
  // binds it; pick another a few times before giving up.
  const bool pick_port = options_.port == 0;
  for (int attempt = 0;; ++attempt) {
    port_ = pick_port ? free_loopback_port() : options_.port;
    try {
      start();
      return;
    } catch (const RedisError&) {
      if (!pick_port || attempt >= 2 || log_tail().find("Address already in use") == std::string::npos)
        throw;
    }
  }
}

RedisServer::~RedisServer() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; the child is reaped by ~ChildProcess.
  }
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

RedisOptions RedisServer::options() const {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.password = options_.password;
  return o;
}

std::string RedisServer::log_path() const { return options_.data_dir + "/redis.log"; }
std::string RedisServer::config_path() const { return options_.data_dir + "/redis.conf"; }

pid_t RedisServer::pid() const { return child_ ? child_->pid() : -1; }

bool RedisServer::running() const { return child_ && child_->running(); }

std::optional<int> RedisServer::exit_status() const {
  return child_ ? child_->exit_status() : std::nullopt;
}

void RedisServer::write_config() const {
  std::string path = config_path();
  // The file may hold the password: readable by us only.
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw RedisError("redis-server: cannot write config '" + path + "'");
  ::chmod(path.c_str(), 0600);
  out << "# written by bigpe RedisServer; rewritten at each start\n"
      << "bind 127.0.0.1\n"
      << "port " << port_ << "\n"
      << "protected-mode yes\n"
      << "daemonize no\n"
      << "logfile \"\"\n"
      << "dir " << quoted(options_.data_dir) << "\n"
      << "appendonly yes\n"
      << "appendfsync " << (options_.fsync_always ? "always" : "everysec") << "\n"
      << "save \"\"\n";
  if (!options_.password.empty()) out << "requirepass " << quoted(options_.password) << "\n";
  if (!out.flush()) throw RedisError("redis-server: cannot write config '" + path + "'");
}

std::string RedisServer::log_tail() const {
  std::ifstream in(log_path());
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > 15) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

void RedisServer::start() {
  write_config();
  ChildProcessOptions co;
  co.argv = {executable_, config_path()};
  co.own_process_group = true;  // Ctrl-C stops the run first; Redis goes last
  co.stdout_path = log_path();
  co.stderr_path = log_path();
  co.working_dir = options_.data_dir;
  child_ = std::make_unique<ChildProcess>(co);

  const std::string where = "redis-server on 127.0.0.1:" + std::to_string(port_) + " (dir " +
                            options_.data_dir + ")";
  RedisOptions probe = options();
  // Short: a live server answers at once (LOADING while it reads its file),
  // and a failed probe is simply retried; a long one would hide an exit.
  probe.connect_timeout = std::chrono::milliseconds(250);
  probe.command_timeout = std::chrono::milliseconds(250);
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  auto pause = std::chrono::milliseconds(2);
  std::string last_error;
  for (;;) {
    if (!child_->running()) {
      int status = child_->exit_status().value_or(-1);
      child_.reset();
      throw RedisError(where + " exited with status " + std::to_string(status) +
                       " while starting; log " + log_path() + ":" + log_tail());
    }
    try {
      RedisClient client(probe);
      // DBSIZE is refused (LOADING) until the append-only file is loaded,
      // unlike PING, so success means the data is there.
      client.command({"DBSIZE"});
      return;
    } catch (const RedisError& e) {
      last_error = e.what();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      child_->kill();
      child_.reset();
      throw RedisError(where + " did not answer within " +
                       std::to_string(options_.start_timeout.count()) + " ms (last error: " + last_error +
                       "); log " + log_path() + ":" + log_tail());
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

void RedisServer::stop() {
  if (!child_) return;
  // SIGTERM makes redis fsync the append-only file and exit cleanly.
  child_->terminate(std::chrono::milliseconds(10000));
  child_.reset();
}

void RedisServer::kill() {
  if (!child_) return;
  child_->kill();
  child_.reset();
}

void RedisServer::restart() {
  stop();
  start();
}

}  // namespace bigpe
