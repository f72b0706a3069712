#pragma once
// LoadDriver: a simulated fleet for `bigpe bench scale`, all over loopback
// from one thread: one client (a DEALER, as a scheduler) that submits tasks
// in SUBMIT batches, and `workers` worker DEALERs that send READY, keep
// heartbeating, and - once answering is switched on - reply to every TASK
// at once with a RESULT. It only drives and counts; the broker under test
// runs in its own process so that its memory can be measured alone.
//
// Thread-safety: none; one thread owns a driver and all its sockets.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace bigpe::bench {

class LoadDriver {
 public:
  // Connects the client and every worker socket and sends each worker's
  // READY (service "scale", `slots` credit). Raises the process's open
  // file limit and the context's socket limit as far as allowed; throws
  // std::runtime_error when `workers` sockets cannot be had.
  LoadDriver(const std::string& client_endpoint, const std::string& worker_endpoint, int workers, int slots);
  ~LoadDriver();
  LoadDriver(const LoadDriver&) = delete;
  LoadDriver& operator=(const LoadDriver&) = delete;

  // Waits until every worker heard from the broker (its HEARTBEAT after
  // READY). False at the deadline.
  bool await_registration(std::chrono::steady_clock::time_point deadline);

  // Submits `count` tasks of `body_bytes` each and returns when the broker
  // has ACCEPTED all of them (keeping the workers alive meanwhile), or
  // throws std::runtime_error at `deadline`.
  void submit(long count, int body_bytes, std::chrono::steady_clock::time_point deadline);

  // Workers answer every task they hold and get; runs for `duration` or
  // until `stop_after` results reached the client. Returns the RESULTs the
  // client received in each full `window`.
  std::vector<long> drain(std::chrono::milliseconds duration, std::chrono::milliseconds window, long stop_after);

  // Worker sockets that got at least one message from the broker.
  int workers_heard() const;
  long results() const { return results_; }

 private:
  void pump_worker(std::size_t index, bool answer);
  void pump_workers(bool answer);
  void pump_client();
  void heartbeat_if_due();

  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> client_;
  std::vector<std::unique_ptr<zmq::socket_t>> workers_;
  std::vector<char> heard_;
  std::vector<std::vector<std::pair<std::string, int>>> held_;  // per worker: TASKs not yet answered
  std::chrono::steady_clock::time_point next_heartbeat_;
  long accepted_ = 0;
  long results_ = 0;
};

}  // namespace bigpe::bench
