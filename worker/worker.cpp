#include "worker/worker.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "broker/wire_message.h"
#include "schemas/messages.h"
#include "schemas/msgpack_map.h"
#include "schemas/protocol.h"
#include "worker/artifact_store.h"
#include "common/redis/result_cache.h"
#include "worker/task_executor.h"
#include "worker/task_inbox.h"

namespace bigpe {
namespace {

using Clock = std::chrono::steady_clock;
using schemas::Command;

// Messages from the compute thread (and stop()) to the I/O thread, one frame:
// a kind byte, then for kReply the session (8 bytes) and the RESULT body,
// for kReplies the session and a RESULTS body (a batch's answers together).
constexpr char kReply = 'R';
constexpr char kReplies = 'M';
constexpr char kComputeDone = 'D';
constexpr char kWake = 'S';

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

std::string random_hex(int digits) {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out += hex[rd() & 15];
  return out;
}

std::string default_worker_id(const std::string& host) {
  return host + "-" + std::to_string(getpid()) + "-" + random_hex(6);
}

void validate(const WorkerOptions& o) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("worker options: " + what); };
  if (o.broker_endpoint.empty()) bad("broker endpoint must not be empty");
  if (o.services.empty()) bad("at least one service is required");
  for (const std::string& s : o.services)
    if (s.empty()) bad("a service name is empty");
  if (o.slots < 1 || o.slots > schemas::kMaxSlots)
    bad("slots must be in [1, " + std::to_string(schemas::kMaxSlots) + "], got " + std::to_string(o.slots));
  if (o.worker_id.size() > 255 || (!o.worker_id.empty() && o.worker_id[0] == '\0'))
    bad("worker id must be at most 255 bytes and not start with a zero byte");
  if (o.heartbeat_interval.count() < 1) bad("heartbeat interval must be at least 1 ms");
  if (o.liveness < 1) bad("liveness must be at least 1");
  if (o.reconnect_initial.count() < 1 || o.reconnect_max < o.reconnect_initial)
    bad("reconnect backoff needs 1 ms <= initial <= max");
  if (o.watchdog.count() < 1) bad("watchdog must be at least 1 ms");
}

// The task id of a TASK whose body does not decode, if it can be read at
// all, so that the broker can be told (and free the slot) instead of
// waiting for a timeout.
std::string peek_task_id(const std::string& body) {
  try {
    msgpack::object_handle oh = schemas::unpack_checked(body, "TASK");
    schemas::MapReader r(oh.get(), "TASK");
    return r.optional<std::string>("task_id", "");
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

class Worker::Impl {
 public:
  Impl(WorkerOptions options, std::unique_ptr<Renderer> renderer, std::vector<std::unique_ptr<Scorer>> scorers,
       std::shared_ptr<zmq::context_t> context)
      : opt_(std::move(options)), renderer_(std::move(renderer)), scorers_(std::move(scorers)),
        ctx_(context ? std::move(context) : std::make_shared<zmq::context_t>(1)) {
    validate(opt_);
    std::vector<Scorer*> scorers_used;
    for (auto& s : scorers_) scorers_used.push_back(s.get());
    if (!renderer_ || scorers_.empty() || scorers_used.front() == nullptr)
      throw std::invalid_argument("worker: renderer and scorer are required");
    if (opt_.host.empty()) opt_.host = host_name();
    if (opt_.worker_id.empty()) opt_.worker_id = default_worker_id(opt_.host);
    if (opt_.persist) {
      redis_ = std::make_unique<RedisClient>(opt_.redis);
      cache_ = std::make_unique<ResultCache>(*redis_);
    }
    if (!opt_.artifact_dir.empty()) artifacts_ = std::make_unique<ArtifactStore>(opt_.artifact_dir);
    executor_ = std::make_unique<TaskExecutor>(opt_.worker_id, *renderer_, scorers_used, cache_.get(),
                                               artifacts_.get(), opt_.max_prompt_chars);
    char addr[64];
    std::snprintf(addr, sizeof(addr), "inproc://bigpe-worker-%p", static_cast<void*>(this));
    control_endpoint_ = addr;
    // Refuse a malformed endpoint here, with its name, rather than in run().
    try {
      zmq::socket_t probe(*ctx_, zmq::socket_type::dealer);
      probe.set(zmq::sockopt::linger, 0);
      probe.connect(opt_.broker_endpoint);
    } catch (const zmq::error_t& e) {
      throw std::invalid_argument("worker options: broker endpoint '" + opt_.broker_endpoint +
                                  "': " + e.what());
    }
  }

  void run();
  void stop();
  Stats stats() const {
    return {tasks_.load(), items_.load(), renders_.load(), hits_.load(), failures_.load()};
  }
  const std::string& worker_id() const { return opt_.worker_id; }
  const std::string& identity() const { return executor_->identity(); }
  schemas::RenderLimits limits() const { return executor_->limits(); }

 private:
  void compute_loop();
  void compute_batches(zmq::socket_t& out);
  void io_loop(zmq::socket_t& control);
  void connect();
  void new_session(const char* why);
  void send_ready();
  void send(Command c, const std::string& body);
  void on_broker_message(const broker::WireMessage& m);
  void on_control(const zmq::message_t& m);
  void drop_connection(const std::string& why);
  void refuse_malformed(const std::string& task_id, const std::string& why);
  schemas::Heartbeat heartbeat();

  WorkerOptions opt_;
  std::unique_ptr<Renderer> renderer_;
  std::vector<std::unique_ptr<Scorer>> scorers_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<ResultCache> cache_;
  std::unique_ptr<ArtifactStore> artifacts_;
  std::unique_ptr<TaskExecutor> executor_;

  std::shared_ptr<zmq::context_t> ctx_;  // shared by local workers
  std::string control_endpoint_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> started_{false};
  TaskInbox inbox_;

  // I/O thread state.
  std::unique_ptr<zmq::socket_t> dealer_;
  uint64_t session_ = 0;
  // READY.session is "<random per Worker>/<session_>": a restarted process
  // under the same worker id never repeats its predecessor's sessions.
  const std::string session_prefix_ = random_hex(12);
  std::string broker_instance_;
  Clock::time_point last_heard_, next_heartbeat_, reconnect_at_;
  std::chrono::milliseconds backoff_{0};
  std::vector<schemas::Task> arrived_;  // TASKs of this poll, for the inbox
  bool awaiting_ack_ = false;  // READY sent, nothing but DISCONNECT heard since
  bool compute_done_ = false;
  std::exception_ptr compute_error_;  // set by the compute thread before kComputeDone
  std::string stop_reason_ = "worker stopping";  // DISCONNECT's; likewise

  std::atomic<long> tasks_{0}, items_{0}, renders_{0}, hits_{0}, failures_{0};
  // Start of the batch running, in steady-clock ns; 0: idle (the watchdog).
  std::atomic<int64_t> batch_started_{0};
  bool stall_logged_ = false;  // I/O thread: warned about the current batch
};

void Worker::Impl::run() {
  if (started_.exchange(true)) throw std::logic_error("Worker::run() called twice");
  zmq::socket_t control(*ctx_, zmq::socket_type::pull);
  control.bind(control_endpoint_);
  std::thread compute([this] { compute_loop(); });
  try {
    io_loop(control);
  } catch (...) {
    inbox_.close();
    compute.join();
    throw;
  }
  inbox_.close();
  compute.join();
  if (compute_error_) std::rethrow_exception(compute_error_);
}

void Worker::Impl::stop() {
  stopping_ = true;
  // Wake the I/O thread's poll. A socket of our own: sockets are per thread.
  try {
    zmq::socket_t s(*ctx_, zmq::socket_type::push);
    s.set(zmq::sockopt::linger, 0);
    s.connect(control_endpoint_);
    char wake = kWake;
    (void)s.send(zmq::const_buffer(&wake, 1), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // The context is shutting down: run() has returned already.
  }
}

void Worker::Impl::compute_loop() {
  pthread_setname_np(pthread_self(), "bigpe-compute");  // for top and perf
  zmq::socket_t out(*ctx_, zmq::socket_type::push);
  out.set(zmq::sockopt::linger, 0);
  out.connect(control_endpoint_);
  // No exception may leave the thread (std::terminate): one that does ends
  // the worker, which run() reports; the broker requeues its tasks.
  try {
    compute_batches(out);
  } catch (const WorkerRedisLost& e) {
    spdlog::error("worker {}: {}; leaving the broker, which gives its tasks to other workers", opt_.worker_id,
                  e.what());
    compute_error_ = std::current_exception();
    stop_reason_ = "lost Redis";
  } catch (const std::exception& e) {
    spdlog::error("worker {}: compute thread stopped: {}", opt_.worker_id, e.what());
    compute_error_ = std::current_exception();
    stop_reason_ = "compute thread stopped";
  }
  char done = kComputeDone;
  out.send(zmq::const_buffer(&done, 1), zmq::send_flags::none);
}

void Worker::Impl::compute_batches(zmq::socket_t& out) {
  // Everything held runs as one batch (measured: leaving one task queued
  // while a batch runs lowered bench scheduler's utilization, 0.978 -> 0.961).
  const std::size_t max_batch = static_cast<std::size_t>(std::max(1, opt_.slots));
  while (auto batch = inbox_.take(max_batch)) {
    std::vector<schemas::Task> tasks;
    tasks.reserve(batch->size());
    for (auto& e : *batch) tasks.push_back(std::move(e.task));
    batch_started_ = std::max<int64_t>(1, Clock::now().time_since_epoch().count());
    std::vector<TaskExecutor::Outcome> outcomes = executor_->run(tasks);
    batch_started_ = 0;
    const std::string redis_lost = executor_->redis_lost();
    schemas::ResultBatch replies;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      TaskExecutor::Outcome& o = outcomes[i];
      // Without Redis: answer what needed none (cache hits found before it
      // went); the broker gives the rest to others once we leave.
      if (!redis_lost.empty() && !o.reply.error.empty()) continue;
      renders_ += o.renders;
      if (o.reply.error.empty()) {
        ++tasks_;
        items_ += o.items;
        hits_ += o.cache_hits;
      } else {
        ++failures_;
      }
      replies.results.push_back(std::move(o.reply));
    }
    if (!redis_lost.empty() && replies.results.empty())
      throw WorkerRedisLost("lost Redis: " + redis_lost);
    // take() hands out tasks of one session only, so one frame answers all.
    const bool single = replies.results.size() == 1;
    std::string body = single ? schemas::encode(replies.results.front()) : schemas::encode(replies);
    std::string frame(1 + sizeof(uint64_t) + body.size(), '\0');
    frame[0] = single ? kReply : kReplies;
    std::memcpy(&frame[1], &batch->front().session, sizeof(uint64_t));
    std::memcpy(&frame[1 + sizeof(uint64_t)], body.data(), body.size());
    out.send(zmq::buffer(frame), zmq::send_flags::none);
    if (!redis_lost.empty()) throw WorkerRedisLost("lost Redis: " + redis_lost);
  }
}

void Worker::Impl::send(Command c, const std::string& body) {
  if (!dealer_) return;
  if (!broker::send_message(*dealer_, nullptr, c, body))
    spdlog::debug("worker {}: {} not sent (queue to broker full)", opt_.worker_id,
                  schemas::command_name(c));
}

void Worker::Impl::new_session(const char* why) {
  ++session_;
  inbox_.begin_session(session_);
  arrived_.clear();  // tasks of the session that just ended
  broker_instance_.clear();  // learnt again from the acknowledgement
  send_ready();
  last_heard_ = Clock::now();
  next_heartbeat_ = last_heard_ + opt_.heartbeat_interval;
  std::string services;
  for (const std::string& s : opt_.services) services += (services.empty() ? "" : ",") + s;
  spdlog::info("worker {}: READY to {} ({}; services {}, slots {}, identity {})", opt_.worker_id,
               opt_.broker_endpoint, why, services, opt_.slots, executor_->identity());
}

// READY of the current session; sending it again within the session is
// harmless (the broker acknowledges it and changes nothing).
void Worker::Impl::send_ready() {
  schemas::Ready ready{opt_.services, opt_.slots, opt_.worker_id, opt_.host, opt_.device, true};
  ready.identity = executor_->identity();
  ready.limits = executor_->limits();
  ready.session = session_prefix_ + "/" + std::to_string(session_);
  send(Command::kReady, schemas::encode(ready));
  awaiting_ack_ = true;
}

void Worker::Impl::connect() {
  dealer_ = std::make_unique<zmq::socket_t>(*ctx_, zmq::socket_type::dealer);
  dealer_->set(zmq::sockopt::routing_id, opt_.worker_id);
  // linger 0: a new session must not deliver the old one's queued messages.
  dealer_->set(zmq::sockopt::linger, 0);
  dealer_->set(zmq::sockopt::reconnect_ivl, 100);
  // A broker (or an impostor on its port) cannot make us buffer a huge frame.
  dealer_->set(zmq::sockopt::maxmsgsize, schemas::kMaxMessageBytes);
  if (opt_.curve.enabled()) {
    dealer_->set(zmq::sockopt::curve_serverkey, opt_.curve.server_public);
    dealer_->set(zmq::sockopt::curve_publickey, opt_.curve.public_key);
    dealer_->set(zmq::sockopt::curve_secretkey, opt_.curve.secret_key);
  }
  dealer_->connect(opt_.broker_endpoint);
}

void Worker::Impl::drop_connection(const std::string& why) {
  spdlog::warn("worker {}: {}; reconnecting in {} ms", opt_.worker_id, why, backoff_.count());
  dealer_.reset();
  ++session_;
  inbox_.begin_session(session_);
  arrived_.clear();  // tasks of the session that just ended
  reconnect_at_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, opt_.reconnect_max);
}

void Worker::Impl::on_control(const zmq::message_t& m) {
  if (m.size() == 0) return;
  const char* data = static_cast<const char*>(m.data());
  if (data[0] == kComputeDone) {
    compute_done_ = true;
  } else if ((data[0] == kReply || data[0] == kReplies) && m.size() >= 1 + sizeof(uint64_t)) {
    uint64_t session = 0;
    std::memcpy(&session, data + 1, sizeof(session));
    if (session != session_ || !dealer_) {
      spdlog::debug("worker {}: dropping a reply of an ended session", opt_.worker_id);
      return;
    }
    send(data[0] == kReply ? Command::kResult : Command::kResults,
         std::string(data + 1 + sizeof(uint64_t), m.size() - 1 - sizeof(uint64_t)));
  }
}

// Answers a task that did not decode with an error RESULT, so that the
// broker frees the slot and retries it instead of waiting for a timeout.
void Worker::Impl::refuse_malformed(const std::string& task_id, const std::string& why) {
  schemas::Result r;
  r.task_id = task_id;
  r.error = "malformed TASK: " + why;
  send(Command::kResult, schemas::encode(r));
  ++failures_;
}

// The HEARTBEAT body: how long the running batch has lasted, and whether
// that is past the watchdog (warned once per batch; with watchdog_exit the
// process ends here, the compute thread being beyond help).
schemas::Heartbeat Worker::Impl::heartbeat() {
  schemas::Heartbeat hb{opt_.worker_id};
  const int64_t started = batch_started_.load();
  if (started == 0) {
    stall_logged_ = false;
    return hb;
  }
  hb.busy_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   Clock::now().time_since_epoch() - Clock::duration(started)).count();
  hb.stalled = hb.busy_ms > opt_.watchdog.count();
  if (!hb.stalled || stall_logged_) return hb;
  stall_logged_ = true;
  spdlog::warn("worker {}: batch running for {} ms, past the watchdog of {} ms: compute thread stalled?",
               opt_.worker_id, hb.busy_ms, opt_.watchdog.count());
  if (opt_.watchdog_exit) {
    spdlog::error("worker {}: compute thread stalled for {} ms (watchdog {} ms): exiting with status {} "
                  "so that a supervisor restarts the worker", opt_.worker_id, hb.busy_ms, opt_.watchdog.count(),
                  kWatchdogExitCode);
    if (dealer_) {
      send(Command::kDisconnect, schemas::encode(schemas::Disconnect{"compute thread stalled"}));
      dealer_->set(zmq::sockopt::linger, 200);
      dealer_.reset();
    }
    spdlog::default_logger()->flush();
    std::_Exit(kWatchdogExitCode);
  }
  return hb;
}

void Worker::Impl::on_broker_message(const broker::WireMessage& m) {
  if (m.error.empty() && m.command == Command::kDisconnect && awaiting_ack_) {
    // Our READY is not acknowledged yet. Either it was lost (it went to a
    // broker that was stopping, and our heartbeats now reach its successor)
    // or this DISCONNECT answers a message we sent before the READY arrived.
    // Either way READY again in the same session: that registers us in the
    // first case and changes nothing in the second, and our tasks are kept.
    // Not counted as hearing from the broker, so a broker that never
    // acknowledges us still times out.
    spdlog::debug("worker {}: DISCONNECT before READY was acknowledged: READY again", opt_.worker_id);
    send_ready();
    return;
  }
  last_heard_ = Clock::now();
  if (m.error.empty() && m.command != Command::kDisconnect) awaiting_ack_ = false;
  if (!m.error.empty()) {
    spdlog::warn("worker {}: dropping malformed message from broker: {}", opt_.worker_id, m.error);
    return;
  }
  try {
    switch (m.command) {
      case Command::kTask: {
        schemas::Task task;
        try {
          task = schemas::decode_task(m.body);
        } catch (const schemas::DecodeError& e) {
          std::string id = peek_task_id(m.body);
          spdlog::warn("worker {}: dropping malformed TASK{}: {}", opt_.worker_id,
                       id.empty() ? "" : " " + id, e.what());
          if (!id.empty()) refuse_malformed(id, e.what());
          return;
        }
        backoff_ = opt_.reconnect_initial;
        arrived_.push_back(std::move(task));
        return;
      }
      case Command::kTasks: {
        backoff_ = opt_.reconnect_initial;
        for (auto& e : schemas::decode_task_batch(m.body)) {
          if (e.value) {
            arrived_.push_back(std::move(*e.value));
            continue;
          }
          spdlog::warn("worker {}: dropping malformed task{} of a TASKS: {}", opt_.worker_id,
                       e.task_id.empty() ? "" : " " + e.task_id, e.error);
          if (!e.task_id.empty()) refuse_malformed(e.task_id, e.error);
        }
        return;
      }
      case Command::kHeartbeat: {
        schemas::Heartbeat hb = schemas::decode_heartbeat(m.body);
        backoff_ = opt_.reconnect_initial;
        if (hb.sender.empty()) return;
        if (broker_instance_.empty()) {
          broker_instance_ = hb.sender;
        } else if (hb.sender != broker_instance_) {
          spdlog::warn("worker {}: broker restarted (instance {} -> {})", opt_.worker_id,
                       broker_instance_, hb.sender);
          new_session("broker restarted");
          broker_instance_ = hb.sender;
        }
        return;
      }
      case Command::kCancel: {
        // The broker took this task back (its lease expired, e.g. behind a
        // batch that hangs). Not started: drop it. Running: its answer
        // still goes out; the broker ignores it, and it shows we are alive.
        schemas::CancelTask c = schemas::decode_cancel_task(m.body);
        const auto before = arrived_.size();  // arrived in this very poll
        arrived_.erase(std::remove_if(arrived_.begin(), arrived_.end(),
                                      [&](const schemas::Task& t) { return t.task_id == c.task_id && t.attempt == c.attempt; }),
                       arrived_.end());
        const bool dropped = arrived_.size() != before || inbox_.drop(c.task_id, c.attempt);
        spdlog::warn("worker {}: broker took back task {} (attempt {}): {}", opt_.worker_id, c.task_id, c.attempt,
                     dropped ? "dropped before it started" : "already running or answered");
        return;
      }
      case Command::kDisconnect: {
        // After our READY was acknowledged: the broker is stopping, or it no
        // longer knows us (it declared us dead, or it restarted and our
        // heartbeat reached its successor). Either way it has given up our
        // tasks, so a new session drops them, and READY goes out on this
        // socket: cheaper than a new connection.
        schemas::Disconnect d = schemas::decode_disconnect(m.body);
        spdlog::warn("worker {}: broker sent DISCONNECT ({})", opt_.worker_id, d.reason);
        new_session("after DISCONNECT");
        return;
      }
      default:
        spdlog::warn("worker {}: dropping unexpected {} from broker", opt_.worker_id, m.command_name);
    }
  } catch (const std::exception& e) {
    spdlog::warn("worker {}: dropping malformed {} from broker: {}", opt_.worker_id, m.command_name,
                 e.what());
  }
}

void Worker::Impl::io_loop(zmq::socket_t& control) {
  backoff_ = opt_.reconnect_initial;
  if (!stopping_) {
    connect();
    new_session("start");
  }
  const auto dead_after = opt_.heartbeat_interval * opt_.liveness;
  bool draining = false;
  while (!compute_done_) {
    if (stopping_ && !draining) {
      // Let the batch in progress finish and be answered, then leave.
      draining = true;
      inbox_.close();
    }
    Clock::time_point now = Clock::now();
    // Without a connection while draining, only the control socket matters.
    Clock::time_point wake = dealer_    ? std::min(next_heartbeat_, last_heard_ + dead_after)
                             : draining ? now + std::chrono::seconds(1)
                                        : reconnect_at_;
    long timeout = std::max<long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count() + 1);
    zmq::pollitem_t items[2] = {{control.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, 0, ZMQ_POLLIN, 0}};
    int n = 1;
    if (dealer_) {
      items[1].socket = dealer_->handle();
      n = 2;
    }
    zmq::poll(items, n, std::chrono::milliseconds(timeout));

    if (items[0].revents & ZMQ_POLLIN) {
      zmq::message_t m;
      while (control.recv(m, zmq::recv_flags::dontwait)) on_control(m);
    }
    if (n == 2 && (items[1].revents & ZMQ_POLLIN)) {
      broker::WireMessage m;
      while (dealer_ && broker::receive_message(*dealer_, false, m)) on_broker_message(m);
      inbox_.put_all(arrived_, session_);
    }

    now = Clock::now();
    if (dealer_) {
      if (now - last_heard_ > dead_after) {
        drop_connection("broker silent for " + std::to_string(opt_.liveness) + " heartbeat intervals");
      } else if (now >= next_heartbeat_) {
        send(Command::kHeartbeat, schemas::encode(heartbeat()));
        next_heartbeat_ = now + opt_.heartbeat_interval;
      }
    } else if (!draining && now >= reconnect_at_) {
      connect();
      new_session("reconnect");
    }
  }
  if (dealer_) {
    send(Command::kDisconnect, schemas::encode(schemas::Disconnect{stop_reason_}));
    // Give the DISCONNECT a moment to leave; linger is otherwise 0.
    dealer_->set(zmq::sockopt::linger, 200);
    dealer_.reset();
  }
  spdlog::info("worker {}: stopped", opt_.worker_id);
}

namespace {
std::vector<std::unique_ptr<Scorer>> one(std::unique_ptr<Scorer> scorer) {
  std::vector<std::unique_ptr<Scorer>> list;
  list.push_back(std::move(scorer));
  return list;
}
}  // namespace

Worker::Worker(WorkerOptions options, std::unique_ptr<Renderer> renderer,
               std::unique_ptr<Scorer> scorer, std::shared_ptr<zmq::context_t> context)
    : Worker(std::move(options), std::move(renderer), one(std::move(scorer)), std::move(context)) {}
Worker::Worker(WorkerOptions options, std::unique_ptr<Renderer> renderer,
               std::vector<std::unique_ptr<Scorer>> scorers, std::shared_ptr<zmq::context_t> context)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(renderer), std::move(scorers),
                                   std::move(context))) {}
Worker::~Worker() = default;
void Worker::run() { impl_->run(); }
void Worker::stop() { impl_->stop(); }
Worker::Stats Worker::stats() const { return impl_->stats(); }
const std::string& Worker::worker_id() const { return impl_->worker_id(); }
const std::string& Worker::identity() const { return impl_->identity(); }
schemas::RenderLimits Worker::limits() const { return impl_->limits(); }

}  // namespace bigpe
