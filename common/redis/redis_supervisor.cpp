#include "common/redis/redis_supervisor.h"

#include <cstring>

#include <spdlog/spdlog.h>

#include "common/fault_point.h"

namespace bigpe {
namespace {

std::string how_it_ended(std::optional<int> status) {
  if (!status) return "stopped";
  if (*status > 128) {
    const int sig = *status - 128;
    return "was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "exited with status " + std::to_string(*status);
}

}  // namespace

RedisSupervisor::RedisSupervisor(RedisSupervisorOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { watch(); });
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [this] { return started_ || start_error_; });
  if (start_error_) {
    lock.unlock();
    thread_.join();
    std::rethrow_exception(start_error_);
  }
}

RedisSupervisor::~RedisSupervisor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RedisOptions RedisSupervisor::options() const {
  RedisOptions o = client_options_;
  o.gone = gone_;
  return o;
}

void RedisSupervisor::watch() {
  std::unique_ptr<RedisServer> server;
  try {
    server = std::make_unique<RedisServer>(options_.server);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    start_error_ = std::current_exception();
    wake_.notify_all();
    return;
  }
  client_options_ = server->options();
  where_ = "127.0.0.1:" + std::to_string(server->port()) + " (dir " + server->data_dir() + ")";
  engine::set_fault_redis_pid(server->pid());
  std::unique_lock<std::mutex> lock(mutex_);
  started_ = true;
  wake_.notify_all();
  while (!stopping_) {
    wake_.wait_for(lock, options_.check_interval, [this] { return stopping_; });
    if (stopping_ || !failure().empty() || server->running()) continue;
    lock.unlock();
    after_death(*server);  // a restart takes a while: stop() may be asked meanwhile
    lock.lock();
  }
  lock.unlock();
  engine::set_fault_redis_pid(0);
  try {
    server->stop();
  } catch (const std::exception& e) {
    spdlog::warn("stopping the private redis-server {}: {}", where_, e.what());
  }
}

void RedisSupervisor::after_death(RedisServer& server) {
  engine::set_fault_redis_pid(0);
  const std::string death = "the private redis-server " + where_ + " " + how_it_ended(server.exit_status());
  const int used = restarts_.load();
  if (used >= options_.max_restarts) {
    gone_->declare(death + "; not restarted" +
                   (used == 0 ? " (restarts are off)" : " again after " + std::to_string(used) + " restarts"));
    spdlog::error("{}", failure());
    return;
  }
  restarts_ = used + 1;
  spdlog::warn("{}: restarting it from its append-only file (restart {} of at most {})", death, used + 1,
               options_.max_restarts);
  try {
    server.restart();
  } catch (const std::exception& e) {
    gone_->declare(death + " and could not be restarted: " + e.what());
    spdlog::error("{}", failure());
    return;
  }
  engine::set_fault_redis_pid(server.pid());
  spdlog::warn("the private redis-server {} is back (pid {})", where_, server.pid());
}

}  // namespace bigpe
