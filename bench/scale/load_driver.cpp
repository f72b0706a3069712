#include "bench/scale/load_driver.h"

#include <sys/resource.h>

#include <stdexcept>

#include <zmq.hpp>

#include "broker/wire_message.h"
#include "schemas/messages.h"

namespace bigpe::bench {
namespace {

using Clock = std::chrono::steady_clock;
using schemas::Command;


void raise_file_limit(int sockets) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t want = static_cast<rlim_t>(sockets) * 2 + 256;
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = std::min(want, rl.rlim_max);
  setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

LoadDriver::LoadDriver(const std::string& client_endpoint, const std::string& worker_endpoint, int workers,
                       int slots)
    : context_(std::make_unique<zmq::context_t>(1)) {
  raise_file_limit(workers + 1);
  context_->set(zmq::ctxopt::max_sockets, workers + 64);
  client_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer);
  client_->set(zmq::sockopt::routing_id, "scale-client");
  client_->set(zmq::sockopt::linger, 0);
  client_->set(zmq::sockopt::sndhwm, 0);
  client_->set(zmq::sockopt::rcvhwm, 0);
  client_->connect(client_endpoint);
  const std::string ready_service = "scale";
  for (int i = 0; i < workers; ++i) {
    auto s = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer);
    s->set(zmq::sockopt::linger, 0);
    s->set(zmq::sockopt::routing_id, "sim-" + std::to_string(i));
    s->connect(worker_endpoint);
    schemas::Ready ready{{ready_service}, slots, "sim-" + std::to_string(i), "loopback", "none", false};
    broker::send_message(*s, nullptr, Command::kReady, schemas::encode(ready));
    workers_.push_back(std::move(s));
  }
  heard_.assign(workers_.size(), 0);
  held_.resize(workers_.size());
  next_heartbeat_ = Clock::now() + schemas::kHeartbeatInterval;
}

LoadDriver::~LoadDriver() {
  workers_.clear();
  client_.reset();
}

void LoadDriver::heartbeat_if_due() {
  if (Clock::now() < next_heartbeat_) return;
  const std::string hb = schemas::encode(schemas::Heartbeat{"scale"});
  for (auto& w : workers_) broker::send_message(*w, nullptr, Command::kHeartbeat, hb);
  broker::send_message(*client_, nullptr, Command::kHeartbeat, hb);
  next_heartbeat_ = Clock::now() + schemas::kHeartbeatInterval;
}

// Reads whatever the broker sent worker i; answers its TASKs when asked to.
void LoadDriver::pump_worker(std::size_t i, bool answer) {
  broker::WireMessage m;
  while (broker::receive_message(*workers_[i], false, m)) {
    heard_[i] = 1;
    if (!m.error.empty() || m.command != Command::kTask) continue;
    schemas::Task task = schemas::decode_task(m.body);
    held_[i].push_back({task.task_id, task.attempt});
  }
  if (!answer) return;
  for (const auto& [task_id, attempt] : held_[i]) {
    schemas::Result r;
    r.task_id = task_id;
    r.attempt = attempt;
    r.body = "-";
    broker::send_message(*workers_[i], nullptr, Command::kResult, schemas::encode(r));
  }
  held_[i].clear();
}

void LoadDriver::pump_workers(bool answer) {
  for (std::size_t i = 0; i < workers_.size(); ++i) pump_worker(i, answer);
}

bool LoadDriver::await_registration(Clock::time_point deadline) {
  while (workers_heard() < static_cast<int>(workers_.size()) && Clock::now() < deadline) {
    zmq::pollitem_t item{client_->handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(20));
    pump_client();
    pump_workers(false);
    heartbeat_if_due();
  }
  return workers_heard() == static_cast<int>(workers_.size());
}

void LoadDriver::pump_client() {
  broker::WireMessage m;
  while (broker::receive_message(*client_, false, m)) {
    if (!m.error.empty()) continue;
    if (m.command == Command::kAccepted) accepted_ += static_cast<long>(schemas::decode_accepted(m.body).task_ids.size());
    if (m.command == Command::kResult) ++results_;
  }
}

void LoadDriver::submit(long count, int body_bytes, Clock::time_point deadline) {
  const std::string body(static_cast<std::size_t>(body_bytes), 'b');
  const long target = accepted_ + count;
  long sent = 0;
  while (sent < count) {
    schemas::Submit s;
    for (std::size_t k = 0; k < schemas::kSubmitChunk && sent < count; ++k, ++sent)
      s.tasks.push_back({"t" + std::to_string(sent), "exp" + std::to_string(sent % 4), "scale", body, ""});
    broker::send_message(*client_, nullptr, Command::kSubmit, schemas::encode(s));
    // Keep the flow bounded: no more than 64 SUBMITs ahead of the ACCEPTEDs.
    while (sent - accepted_ > static_cast<long>(64 * schemas::kSubmitChunk)) {
      zmq::pollitem_t item{client_->handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
      pump_client();
      pump_workers(false);
      heartbeat_if_due();
      if (Clock::now() > deadline) throw std::runtime_error("bench scale: submitting timed out");
    }
  }
  while (accepted_ < target) {
    zmq::pollitem_t item{client_->handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(100));
    pump_client();
    pump_workers(false);
    heartbeat_if_due();
    if (Clock::now() > deadline) throw std::runtime_error("bench scale: waiting for ACCEPTED timed out");
  }
}

std::vector<long> LoadDriver::drain(std::chrono::milliseconds duration, std::chrono::milliseconds window,
                                    long stop_after) {
  std::vector<long> per_window;
  const Clock::time_point end = Clock::now() + duration;
  Clock::time_point window_end = Clock::now() + window;
  long at_window_start = results_;
  std::vector<zmq::pollitem_t> items;
  items.push_back({client_->handle(), 0, ZMQ_POLLIN, 0});
  for (auto& w : workers_) items.push_back({w->handle(), 0, ZMQ_POLLIN, 0});
  pump_workers(true);  // tasks taken while the queue filled
  while (Clock::now() < end && results_ < stop_after) {
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(10));
    // Only the sockets with input: visiting a thousand idle ones per
    // wake-up would make the driver, not the broker, the bottleneck.
    for (std::size_t k = 1; k < items.size(); ++k)
      if (items[k].revents & ZMQ_POLLIN) pump_worker(k - 1, true);
    pump_client();
    heartbeat_if_due();
    if (Clock::now() >= window_end) {
      per_window.push_back(results_ - at_window_start);
      at_window_start = results_;
      window_end += window;
    }
  }
  return per_window;  // full windows only: a partial one would understate the rate
}

int LoadDriver::workers_heard() const {
  int n = 0;
  for (char h : heard_) n += h;
  return n;
}

}  // namespace bigpe::bench
