// The broker's event loop. Read it top to bottom as the protocol: receive a
// message, dispatch on side and command, hand out queued work to workers
// with credit, and on every heartbeat tick purge the silent and heartbeat
// the living (schemas/README.md).
#include "broker/broker.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <random>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "broker/fair_queue.h"
#include "broker/rate_window.h"
#include "broker/wire_message.h"
#include "broker/zap_handler.h"
#include "common/fault_point.h"
#include "schemas/decode_error.h"
#include "schemas/messages.h"

namespace bigpe::broker {
namespace {

using Clock = std::chrono::steady_clock;
using schemas::Command;

// Credit bounds the TASKs queued per worker; results and heartbeats are
// small, so generous marks cost little and never drop a message under load.
constexpr int kHighWaterMark = 1000000;
// Messages read from one socket before looking at the other, so that a
// flood on one side cannot starve the other.
constexpr int kDrainBatch = 512;

struct Worker;
struct Service;

struct TaskState {
  schemas::TaskEnvelope envelope;
  Service* service = nullptr;
  std::string client;  // routing id of the latest submitter
  int attempt = 1;     // the attempt number of the next (or current) dispatch
  std::vector<std::string> reasons;  // one per failed attempt
  Worker* worker = nullptr;          // holder while in flight
  std::size_t held_index = 0;        // position in worker->held
  Clock::time_point lease_until;     // while in flight: taken back after this
};

struct Worker {
  std::string identity;
  std::string worker_id;
  std::string session;  // READY.session; empty: none given
  std::vector<Service*> services;
  std::vector<char> waiting;  // per service: queued in its waiting list
  std::size_t slots = 1;
  bool batch = false;  // understands TASKS
  std::vector<TaskState*> held;
  std::vector<TaskState*> outbox;  // assigned in this dispatch pass, not yet sent
  Clock::time_point expiry;
  int expired = 0;       // leases expired since its last RESULT
  bool suspect = false;  // expired >= suspect_after: no new work until it answers
  int64_t busy_ms = 0;   // from its last HEARTBEAT
  bool stalled = false;
  bool has_credit() const { return !suspect && held.size() < slots; }
};

// One service under one backend identity (schemas/README.md section 4): a
// task goes only to a worker of its service that advertises the identity
// the task names, so a worker set up differently (another vocabulary, other
// model files) serves its own tasks and never another client's.
struct Service {
  std::string name;
  std::string identity;
  FairQueue<TaskState*> queue;
  // Workers that may have credit, in turn order. Entries go stale when a
  // worker's credit runs out through another service; dispatch skips them.
  std::deque<Worker*> waiting;
  int64_t workers = 0;
  int64_t in_flight = 0;
  bool dirty = false;  // queued for a dispatch pass
  // What its workers' renderer accepts, from the latest READY (one identity
  // is one model, so all its workers advertise the same), for STATUS.
  schemas::RenderLimits limits;
};

struct Client {
  Clock::time_point expiry;
  bool batch = false;    // understands RESULTS
  bool greeted = false;  // has been sent our instance id
};

std::string random_instance_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> nibble(0, 15);
  std::string id(16, '0');
  for (char& c : id) c = "0123456789abcdef"[nibble(rd)];
  return id;
}

std::string bind_router(zmq::socket_t& socket, const std::string& endpoint, const char* role,
                        int64_t max_message_bytes, const CurveServerKeys& curve, const char* zap_domain) {
  if (curve.enabled()) {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, curve.secret_key);
    socket.set(zmq::sockopt::zap_domain, zap_domain);
  }
  socket.set(zmq::sockopt::router_mandatory, 1);
  socket.set(zmq::sockopt::maxmsgsize, max_message_bytes);
  socket.set(zmq::sockopt::sndhwm, kHighWaterMark);
  socket.set(zmq::sockopt::rcvhwm, kHighWaterMark);
  socket.set(zmq::sockopt::linger, 0);
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error(std::string("broker: cannot bind ") + role + " endpoint \"" + endpoint +
                             "\": " + e.what());
  }
  return socket.get(zmq::sockopt::last_endpoint);
}

}  // namespace

class Broker::Impl {
 public:
  explicit Impl(BrokerOptions options)
      : options_(std::move(options)),
        instance_id_(random_instance_id()),
        context_(options_.context ? options_.context : std::make_shared<zmq::context_t>(1)),
        clients_socket_(*context_, zmq::socket_type::router),
        workers_socket_(*context_, zmq::socket_type::router),
        wake_socket_(*context_, zmq::socket_type::pull) {
    if (options_.heartbeat_interval.count() <= 0)
      throw std::runtime_error("broker: heartbeat_interval must be positive");
    if (options_.liveness < 1) throw std::runtime_error("broker: liveness must be at least 1");
    if (options_.max_attempts < 1) throw std::runtime_error("broker: max_attempts must be at least 1");
    if (options_.max_tasks < 1) throw std::runtime_error("broker: max_tasks must be at least 1");
    if (options_.task_lease.count() < 1) throw std::runtime_error("broker: task_lease must be positive");
    if (options_.suspect_after < 1) throw std::runtime_error("broker: suspect_after must be at least 1");
    if (options_.max_message_bytes < 1024)
      throw std::runtime_error("broker: max_message_bytes must be at least 1024");
    // A client or worker reconnecting under its routing id takes over from
    // its stale connection instead of being refused. A stale connection can
    // outlive its process for hours (a half-open TCP connection after a
    // machine or network failure); a worker restarted meanwhile under the
    // same --id would otherwise never be heard.
    clients_socket_.set(zmq::sockopt::router_handover, 1);
    workers_socket_.set(zmq::sockopt::router_handover, 1);
    if (options_.curve.enabled()) {
      // Bound before the server sockets, so no handshake can precede it.
      zap_ = std::make_unique<ZapHandler>(
          *context_, std::map<std::string, std::set<std::string>>{{kClientDomain, options_.curve.client_keys},
                                                                 {kWorkerDomain, options_.curve.worker_keys}});
    }
    client_endpoint_ = bind_router(clients_socket_, options_.client_endpoint, "client",
                                   options_.max_message_bytes, options_.curve, kClientDomain);
    worker_endpoint_ = bind_router(workers_socket_, options_.worker_endpoint, "worker",
                                   options_.max_message_bytes, options_.curve, kWorkerDomain);
    if (!options_.curve.enabled()) {
      inproc_client_endpoint_ = "inproc://bigpe-broker-" + instance_id_ + "-clients";
      inproc_worker_endpoint_ = "inproc://bigpe-broker-" + instance_id_ + "-workers";
      clients_socket_.bind(inproc_client_endpoint_);
      workers_socket_.bind(inproc_worker_endpoint_);
    }
    wake_endpoint_ = "inproc://bigpe-broker-wake-" + instance_id_;
    wake_socket_.bind(wake_endpoint_);
  }

  void run();
  void stop() {
    stopping_ = true;
    // Wake the poll at once rather than at the next heartbeat tick. The
    // context is thread-safe; this short-lived socket belongs to the caller.
    try {
      zmq::socket_t poke(*context_, zmq::socket_type::push);
      poke.set(zmq::sockopt::linger, 0);
      poke.connect(wake_endpoint_);
      poke.send(zmq::str_buffer("stop"), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
      // The loop sees stopping_ at its next tick anyway.
    }
  }

  BrokerOptions options_;
  std::string instance_id_;
  std::string client_endpoint_;
  std::string worker_endpoint_;
  std::string inproc_client_endpoint_;
  std::string inproc_worker_endpoint_;
  std::shared_ptr<zmq::context_t> context_;

 private:
  // --- the event loop's steps ---
  void drain(zmq::socket_t& socket, bool worker_side);
  void on_client(const WireMessage& m);
  void on_worker(const WireMessage& m);
  void tick(Clock::time_point now);
  void expire_leases(Clock::time_point now);
  void answered(Worker& w);

  // --- clients ---
  void on_submit(const std::string& client, schemas::Submit&& submit);
  void on_cancel(const schemas::Cancel& cancel);
  void refuse_full(const std::string& client, const std::string& task_id);
  void send_status(const std::string& client);
  void touch_client(const std::string& client);

  // --- workers and tasks ---
  void on_ready(const std::string& identity, const schemas::Ready& ready);
  void on_result(Worker& w, schemas::Result&& result, const std::string* raw);
  void on_results(Worker& w, const std::string& body);
  bool on_garbled_result(Worker& w, const schemas::BatchEntry<schemas::Result>& e, const char* what);
  TaskState* held_task(Worker& w, const std::string& task_id, int attempt, const char* what);
  void flush_results();
  void remove_worker(Worker& w, const std::string& why);
  void hold(Worker& w, TaskState& t);
  void release(Worker& w, TaskState& t);
  void failed_attempt(TaskState& t, std::string reason, bool permanent = false);
  void offer_credit(Worker& w);
  void mark_dirty(Service& s);
  void dispatch_dirty();
  void dispatch(Service& s);
  void forget_idle_services();
  void send_tasks(Service& s, Worker& w, const std::vector<TaskState*>& tasks);
  Service& service(const std::string& name, const std::string& identity, bool* created = nullptr);
  void warn_identity_mismatch(const std::string& name);

  bool send_client(const std::string& client, Command c, const std::string& body);
  bool send_worker(const std::string& identity, Command c, const std::string& body);
  std::chrono::milliseconds silence_limit() const { return options_.heartbeat_interval * options_.liveness; }

  // Declared after the context and before the sockets: destroyed after the
  // sockets are closed, before the context terminates.
  std::unique_ptr<ZapHandler> zap_;
  zmq::socket_t clients_socket_;
  zmq::socket_t workers_socket_;
  zmq::socket_t wake_socket_;
  std::string wake_endpoint_;
  std::atomic<bool> stopping_{false};

  std::unordered_map<std::string, std::unique_ptr<Service>> services_;
  std::unordered_map<std::string, std::unique_ptr<Worker>> workers_;
  std::unordered_map<std::string, Client> clients_;  // by routing id
  // Results for batch clients, gathered while a drain runs and sent as one
  // RESULTS per client at its end (no added wait: the drain never blocks).
  std::unordered_map<std::string, schemas::ResultBatch> results_out_;
  std::unordered_map<std::string, TaskState> tasks_;            // queued or in flight
  std::vector<Service*> dirty_;
  std::string heartbeat_body_;
  WireMessage message_;  // reused so that steady traffic does not allocate

  int64_t completed_ = 0;
  int64_t refused_full_ = 0;
  int64_t failed_ = 0;
  RateWindow dispatch_rate_;
  RateWindow result_rate_;
};

// ---------------------------------------------------------------------------
// Event loop

void Broker::Impl::run() {
  heartbeat_body_ = schemas::encode(schemas::Heartbeat{instance_id_});
  spdlog::info("broker {}: clients on {}, workers on {}", instance_id_, client_endpoint_, worker_endpoint_);
  Clock::time_point next_tick = Clock::now() + options_.heartbeat_interval;
  while (!stopping_) {
    zmq::pollitem_t items[] = {
        {clients_socket_.handle(), 0, ZMQ_POLLIN, 0},
        {workers_socket_.handle(), 0, ZMQ_POLLIN, 0},
        {wake_socket_.handle(), 0, ZMQ_POLLIN, 0},
    };
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
    zmq::poll(items, 3, std::max(wait, std::chrono::milliseconds(0)));
    if (items[2].revents & ZMQ_POLLIN) break;
    if (items[1].revents & ZMQ_POLLIN) drain(workers_socket_, true);
    if (items[0].revents & ZMQ_POLLIN) drain(clients_socket_, false);
    Clock::time_point now = Clock::now();
    if (now >= next_tick) {
      tick(now);
      next_tick = now + options_.heartbeat_interval;
    }
  }
  // Tell the workers we are going so that they reconnect without waiting
  // for our silence to time out; clients find out from our silence or our
  // successor's new instance id.
  const std::string bye = schemas::encode(schemas::Disconnect{"broker stopping"});
  // A worker that left first cannot be told: not worth a warning.
  for (auto& [identity, w] : workers_) send_message(workers_socket_, &identity, Command::kDisconnect, bye);
  spdlog::info("broker {}: stopped", instance_id_);
}

void Broker::Impl::drain(zmq::socket_t& socket, bool worker_side) {
  for (int i = 0; i < kDrainBatch && receive_message(socket, true, message_); ++i) {
    const char* side = worker_side ? "worker" : "client";
    if (!message_.error.empty()) {
      spdlog::warn("broker: dropped message from {} {}: {}", side, printable_id(message_.peer), message_.error);
      continue;
    }
    try {
      if (worker_side)
        on_worker(message_);
      else
        on_client(message_);
    } catch (const schemas::DecodeError& e) {
      spdlog::warn("broker: dropped {} from {} {}: {}", message_.command_name, side,
                   printable_id(message_.peer), e.what());
    } catch (const zmq::error_t&) {
      throw;  // the broker's own sockets failing is not a peer's fault
    } catch (const engine::FaultInjected&) {
      throw;  // nor is a test's stand-in for it
    } catch (const std::exception& e) {
      spdlog::warn("broker: dropped {} from {} {}: {}", message_.command_name, side,
                   printable_id(message_.peer), e.what());
    }
    dispatch_dirty();
  }
  flush_results();
}

// Purge peers silent for `liveness` intervals, heartbeat the rest.
void Broker::Impl::tick(Clock::time_point now) {
  std::vector<Worker*> dead;
  for (auto& [identity, w] : workers_) {
    if (w->expiry <= now)
      dead.push_back(w.get());
    else if (!send_worker(identity, Command::kHeartbeat, heartbeat_body_))
      dead.push_back(w.get());
  }
  for (Worker* w : dead) {
    bool silent = w->expiry <= now;
    remove_worker(*w, silent ? "no heartbeat for " + std::to_string(silence_limit().count()) + " ms"
                             : "connection lost");
  }
  expire_leases(now);
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (it->second.expiry <= now || !send_client(it->first, Command::kHeartbeat, heartbeat_body_)) {
      spdlog::info("broker: client {} gone; its tasks stay queued", printable_id(it->first));
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
  dispatch_dirty();
  flush_results();
  forget_idle_services();
}

// A task held past its lease goes back to the front of its queue at
// attempt + 1, as a dead worker's would: its worker is alive (it
// heartbeats) but has not answered, e.g. its compute thread hangs. The
// worker is told to drop the task; a late answer is stale (held_task). The
// scan is over the tasks in flight, which worker credit bounds.
void Broker::Impl::expire_leases(Clock::time_point now) {
  std::vector<std::pair<Worker*, TaskState*>> expired;
  for (auto& [identity, w] : workers_)
    for (TaskState* t : w->held)
      if (t->lease_until <= now) expired.emplace_back(w.get(), t);
  for (auto& [w, t] : expired) {
    const int64_t lease = t->envelope.lease_ms > 0 ? t->envelope.lease_ms : options_.task_lease.count();
    send_worker(w->identity, Command::kCancel, schemas::encode(schemas::CancelTask{t->envelope.task_id, t->attempt}));
    ++w->expired;
    const bool now_suspect = !w->suspect && w->expired >= options_.suspect_after;
    if (now_suspect) w->suspect = true;
    spdlog::warn("broker: lease of task {} on worker {} expired ({} ms, worker busy {} ms{}): requeueing 1 tasks{}",
                 t->envelope.task_id, w->worker_id, lease, w->busy_ms, w->stalled ? ", stalled" : "",
                 now_suspect ? "; worker suspect, no new work until it answers" : "");
    release(*w, *t);
    failed_attempt(*t, "attempt " + std::to_string(t->attempt) + " on worker " + w->worker_id + ": lease of " +
                           std::to_string(lease) + " ms expired");
  }
}

// Any RESULT, stale ones included, shows the worker's compute thread runs.
void Broker::Impl::answered(Worker& w) {
  w.expired = 0;
  if (!w.suspect) return;
  w.suspect = false;
  spdlog::info("broker: worker {} answered again: no longer suspect", w.worker_id);
  offer_credit(w);
}

// ---------------------------------------------------------------------------
// Client side

void Broker::Impl::on_client(const WireMessage& m) {
  switch (m.command) {
    case Command::kSubmit:
      on_submit(m.peer, schemas::decode_submit(m.body));
      break;
    case Command::kCancel:
      on_cancel(schemas::decode_cancel(m.body));
      break;
    case Command::kStatus:
      schemas::decode_empty(m.body, "STATUS");
      send_status(m.peer);
      break;
    case Command::kHeartbeat:
      schemas::decode_heartbeat(m.body);
      break;
    case Command::kDisconnect:
      schemas::decode_disconnect(m.body);
      clients_.erase(m.peer);
      return;
    default:
      spdlog::warn("broker: dropped {} from client {}: not a client command", m.command_name,
                   printable_id(m.peer));
      return;
  }
  touch_client(m.peer);
}

void Broker::Impl::touch_client(const std::string& client) {
  Client& c = clients_[client];
  c.expiry = Clock::now() + silence_limit();
  // A new client learns our instance id at once, so that after a broker
  // restart it resubmits without waiting for the next tick.
  if (!c.greeted) {
    c.greeted = true;
    send_client(client, Command::kHeartbeat, heartbeat_body_);
  }
}

void Broker::Impl::on_submit(const std::string& client, schemas::Submit&& submit) {
  clients_[client].batch = submit.batch;
  schemas::Accepted accepted;
  accepted.broker_id = instance_id_;
  accepted.task_ids.reserve(submit.tasks.size());
  std::vector<std::string> refused;
  for (schemas::TaskEnvelope& env : submit.tasks) {
    if (tasks_.size() >= options_.max_tasks && tasks_.count(env.task_id) == 0) {
      refused.push_back(std::move(env.task_id));
      continue;
    }
    accepted.task_ids.push_back(env.task_id);
    auto [it, inserted] = tasks_.try_emplace(env.task_id);
    TaskState& t = it->second;
    // A resubmitted task (the client reconnected, or its deadline passed) is
    // not queued twice; its result goes to whoever submitted it last.
    t.client = client;
    if (!inserted) continue;
    bool new_lane = false;
    t.service = &service(env.service, env.identity, &new_lane);
    t.envelope = std::move(env);
    t.service->queue.push_back(t.envelope.experiment_id, &t);
    mark_dirty(*t.service);
    if (new_lane) warn_identity_mismatch(t.service->name);
  }
  // ACCEPTED answers the SUBMIT first and lists only what was taken; each
  // refused task then gets its FAILED.
  send_client(client, Command::kAccepted, schemas::encode(accepted));
  for (const std::string& id : refused) refuse_full(client, id);
}

void Broker::Impl::refuse_full(const std::string& client, const std::string& task_id) {
  schemas::Failed f;
  f.task_id = task_id;
  f.reason = "broker queue full (" + std::to_string(options_.max_tasks) + " tasks); submit fewer at once";
  f.attempts = 0;
  f.reasons = {f.reason};
  if (refused_full_++ % 10000 == 0)
    spdlog::warn("broker: refusing tasks from client {}: {}", printable_id(client), f.reason);
  send_client(client, Command::kFailed, schemas::encode(f));
}

void Broker::Impl::on_cancel(const schemas::Cancel& cancel) {
  std::size_t dropped = 0;
  for (auto& [name, s] : services_) {
    for (TaskState* t : s->queue.take_experiment(cancel.experiment_id)) {
      tasks_.erase(t->envelope.task_id);
      ++dropped;
    }
  }
  spdlog::info("broker: cancelled experiment {}: {} queued tasks dropped", cancel.experiment_id, dropped);
}

void Broker::Impl::send_status(const std::string& client) {
  schemas::StatusReply r;
  std::unordered_map<Service*, int64_t> free_slots;
  for (auto& [identity, w] : workers_)
    for (Service* s : w->services) free_slots[s] += static_cast<int64_t>(w->slots - w->held.size());
  for (auto& [key, s] : services_) {
    schemas::ServiceStatus st;
    st.name = s->name;
    st.identity = s->identity;
    st.queued = static_cast<int64_t>(s->queue.size());
    st.in_flight = s->in_flight;
    st.workers = s->workers;
    st.free_slots = free_slots[s.get()];
    if (s->workers > 0) st.limits = s->limits;
    r.queued += st.queued;
    r.in_flight += st.in_flight;
    r.services.push_back(std::move(st));
  }
  std::sort(r.services.begin(), r.services.end(),
            [](const schemas::ServiceStatus& a, const schemas::ServiceStatus& b) {
              return std::tie(a.name, a.identity) < std::tie(b.name, b.identity);
            });
  r.workers = static_cast<int64_t>(workers_.size());
  for (auto& [identity, w] : workers_) {
    schemas::WorkerStatus ws;
    ws.worker_id = w->worker_id;
    for (Service* s : w->services) ws.services.push_back(s->name);
    ws.slots = static_cast<int64_t>(w->slots);
    ws.held = static_cast<int64_t>(w->held.size());
    ws.suspect = w->suspect;
    ws.busy_ms = w->busy_ms;
    ws.stalled = w->stalled;
    r.worker_list.push_back(std::move(ws));
  }
  std::sort(r.worker_list.begin(), r.worker_list.end(),
            [](const schemas::WorkerStatus& a, const schemas::WorkerStatus& b) { return a.worker_id < b.worker_id; });
  r.completed = completed_;
  r.failed = failed_;
  Clock::time_point now = Clock::now();
  r.dispatch_rate = dispatch_rate_.per_second(now);
  r.result_rate = result_rate_.per_second(now);
  send_client(client, Command::kStatus, schemas::encode(r));
}

// ---------------------------------------------------------------------------
// Worker side

void Broker::Impl::on_worker(const WireMessage& m) {
  if (m.command == Command::kReady) {
    on_ready(m.peer, schemas::decode_ready(m.body));
    return;
  }
  auto it = workers_.find(m.peer);
  if (it == workers_.end()) {
    // Not registered: it predates a broker restart, or was declared dead.
    // DISCONNECT tells it to send READY again.
    spdlog::warn("broker: {} from unregistered worker {}: sending DISCONNECT", m.command_name,
                 printable_id(m.peer));
    send_worker(m.peer, Command::kDisconnect, schemas::encode(schemas::Disconnect{"send READY first"}));
    return;
  }
  Worker& w = *it->second;
  // Any message is a sign of life, even one that does not decode.
  w.expiry = Clock::now() + silence_limit();
  switch (m.command) {
    case Command::kHeartbeat: {
      schemas::Heartbeat hb = schemas::decode_heartbeat(m.body);
      w.busy_ms = hb.busy_ms;
      w.stalled = hb.stalled;
      return;
    }
    case Command::kResult: {
      answered(w);
      schemas::BatchEntry<schemas::Result> e = schemas::decode_result_entry(m.body);
      if (e.value)
        on_result(w, std::move(*e.value), &m.body);
      else
        on_garbled_result(w, e, "RESULT");
      return;
    }
    case Command::kResults:
      answered(w);
      on_results(w, m.body);
      return;
    case Command::kDisconnect:
      schemas::decode_disconnect(m.body);
      remove_worker(w, "worker disconnected");
      return;
    default:
      spdlog::warn("broker: dropped {} from worker {}: not a worker command", m.command_name, w.worker_id);
      return;
  }
}

void Broker::Impl::on_ready(const std::string& identity, const schemas::Ready& ready) {
  if (ready.services.empty()) throw schemas::DecodeError("READY", "service", "names no service");
  auto existing = workers_.find(identity);
  if (existing != workers_.end()) {
    Worker& old = *existing->second;
    if (!ready.session.empty() && ready.session == old.session && ready.worker_id == old.worker_id) {
      // The same session again: it answered a DISCONNECT that we sent for a
      // message it had sent before its first READY reached us, or it missed
      // our acknowledgement. It still holds its tasks: keep them, and the
      // registration as it was (any other field that changed is ignored).
      spdlog::debug("broker: worker {} sent READY again in session {}: acknowledged, nothing changed",
                    old.worker_id, old.session);
      old.expiry = Clock::now() + silence_limit();
      send_worker(identity, Command::kHeartbeat, heartbeat_body_);
      return;
    }
    remove_worker(old, ready.session.empty() ? "worker sent READY again (restarted)"
                                             : "worker sent READY with a new session (restarted)");
  }
  auto w = std::make_unique<Worker>();
  w->identity = identity;
  w->worker_id = ready.worker_id;
  w->session = ready.session;
  w->slots = static_cast<std::size_t>(ready.slots);
  w->batch = ready.batch;
  w->expiry = Clock::now() + silence_limit();
  for (const std::string& name : ready.services) {
    Service& s = service(name, ready.identity);
    if (!ready.limits.empty()) s.limits = ready.limits;
    if (std::find(w->services.begin(), w->services.end(), &s) != w->services.end()) continue;
    w->services.push_back(&s);
    w->waiting.push_back(0);
    ++s.workers;
  }
  Worker& ref = *w;
  workers_[identity] = std::move(w);
  spdlog::info("broker: worker {} ready ({} slots, {} services, host {}, device {}, identity '{}')",
               ref.worker_id, ref.slots, ref.services.size(), ready.host, ready.device, ready.identity);
  for (const Service* s : ref.services) warn_identity_mismatch(s->name);
  offer_credit(ref);
  // Tell it who we are, so that it can recognise our successor.
  send_worker(identity, Command::kHeartbeat, heartbeat_body_);
}

// `raw` is the RESULT body as received, forwarded as is to a client that
// takes single RESULTs; null when the result came inside a RESULTS.
void Broker::Impl::on_result(Worker& w, schemas::Result&& result, const std::string* raw) {
  TaskState* held = held_task(w, result.task_id, result.attempt, "RESULT");
  if (held == nullptr) return;
  TaskState& t = *held;
  release(w, t);
  result_rate_.add(Clock::now());
  if (!result.error.empty()) {
    failed_attempt(t, "attempt " + std::to_string(t.attempt) + " on worker " + w.worker_id + ": " + result.error,
                   result.permanent);
    return;
  }
  auto client = clients_.find(t.client);
  if (client != clients_.end() && client->second.batch)
    results_out_[t.client].results.push_back(std::move(result));
  else
    send_client(t.client, Command::kResult, raw ? *raw : schemas::encode(result));
  ++completed_;
  const std::string id = t.envelope.task_id;  // not a reference into the node erased
  tasks_.erase(id);
  engine::fault_point("broker:result");
}

// The task `w` holds under this id at this attempt, or null (logged): a
// RESULT for a task it does not hold (unknown, or requeued since), or for an
// attempt other than the one in flight (a late answer to an attempt that was
// given up, e.g. after the worker was declared dead and the task came back
// to it), is stale and changes nothing. attempt 0: not known, not checked.
TaskState* Broker::Impl::held_task(Worker& w, const std::string& task_id, int attempt, const char* what) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.worker != &w) {
    spdlog::warn("broker: {} from worker {} for task {} that it does not hold: dropped", what, w.worker_id,
                 task_id);
    return nullptr;
  }
  if (attempt != 0 && attempt != it->second.attempt) {
    spdlog::warn("broker: {} from worker {} for attempt {} of task {}, whose attempt {} is in flight: stale, dropped",
                 what, w.worker_id, attempt, task_id, it->second.attempt);
    return nullptr;
  }
  return &it->second;
}

void Broker::Impl::on_results(Worker& w, const std::string& body) {
  std::vector<schemas::BatchEntry<schemas::Result>> entries;
  try {
    entries = schemas::decode_result_batch(body);
  } catch (const schemas::DecodeError& e) {
    schemas::BatchEntry<schemas::Result> whole;
    whole.error = e.what();
    on_garbled_result(w, whole, "RESULTS");
    return;
  }
  for (auto& e : entries) {
    if (e.value)
      on_result(w, std::move(*e.value), nullptr);
    else if (on_garbled_result(w, e, "RESULTS element"))
      return;  // w is gone, and with it everything it held
  }
}

// A RESULT (or RESULTS element) that does not decode. The worker did answer,
// so its task goes back to the front of the queue as a failed attempt and
// the credit comes back at once, rather than both staying taken until the
// worker dies. When no task can be read from it and the worker holds tasks,
// the broker cannot tell which one was answered: it removes the worker (all
// its tasks are requeued, as for a dead worker) and tells it to register
// again. Returns true when `w` was removed.
bool Broker::Impl::on_garbled_result(Worker& w, const schemas::BatchEntry<schemas::Result>& e,
                                     const char* what) {
  spdlog::warn("broker: malformed {} from worker {}: {}", what, w.worker_id, e.error);
  if (!e.task_id.empty()) {
    TaskState* t = held_task(w, e.task_id, e.attempt, what);
    if (t == nullptr) return false;
    release(w, *t);
    failed_attempt(*t, "attempt " + std::to_string(t->attempt) + " on worker " + w.worker_id +
                           ": malformed result: " + e.error);
    return false;
  }
  if (w.held.empty()) return false;  // nothing it could have answered
  send_worker(w.identity, Command::kDisconnect,
              schemas::encode(schemas::Disconnect{"a RESULT named no task: send READY again"}));
  remove_worker(w, std::string("sent a ") + what + " that names no task (" + e.error + ")");
  return true;
}

void Broker::Impl::flush_results() {
  for (auto& [client, batch] : results_out_) {
    if (batch.results.size() == 1)
      send_client(client, Command::kResult, schemas::encode(batch.results.front()));
    else
      send_client(client, Command::kResults, schemas::encode(batch));
  }
  results_out_.clear();
}

void Broker::Impl::remove_worker(Worker& w, const std::string& why) {
  // A worker leaving idle is routine (local pools at shutdown); one that
  // takes tasks with it is worth a warning.
  spdlog::log(w.held.empty() ? spdlog::level::info : spdlog::level::warn,
              "broker: worker {} ({}) removed: {}; requeueing {} tasks", w.worker_id,
              printable_id(w.identity), why, w.held.size());
  // Requeue newest first so that push_front leaves the oldest at the front.
  std::vector<TaskState*> held = w.held;
  for (auto t = held.rbegin(); t != held.rend(); ++t) {
    release(w, **t);
    failed_attempt(**t, "attempt " + std::to_string((*t)->attempt) + " on worker " + w.worker_id + ": " + why);
  }
  for (Service* s : w.services) {
    s->waiting.erase(std::remove(s->waiting.begin(), s->waiting.end(), &w), s->waiting.end());
    --s->workers;
  }
  workers_.erase(w.identity);  // destroys w
}

void Broker::Impl::hold(Worker& w, TaskState& t) {
  t.worker = &w;
  t.lease_until = Clock::now() + (t.envelope.lease_ms > 0 ? std::chrono::milliseconds(t.envelope.lease_ms)
                                                          : options_.task_lease);
  t.held_index = w.held.size();
  w.held.push_back(&t);
  ++t.service->in_flight;
}

void Broker::Impl::release(Worker& w, TaskState& t) {
  // Swap-remove keeps this O(1) whatever the worker's slot count.
  TaskState* last = w.held.back();
  w.held[t.held_index] = last;
  last->held_index = t.held_index;
  w.held.pop_back();
  t.worker = nullptr;
  --t.service->in_flight;
  offer_credit(w);
}

// `permanent`: the worker refused the task by a rule that any attempt would
// meet again, so retrying only costs time: it fails now.
void Broker::Impl::failed_attempt(TaskState& t, std::string reason, bool permanent) {
  spdlog::info("broker: task {} failed{}: {}", t.envelope.task_id, permanent ? " for good" : "", reason);
  t.reasons.push_back(std::move(reason));
  if (permanent || t.attempt >= options_.max_attempts) {
    schemas::Failed f;
    f.task_id = t.envelope.task_id;
    f.reason = t.reasons.back();
    f.attempts = t.attempt;
    f.reasons = t.reasons;
    send_client(t.client, Command::kFailed, schemas::encode(f));
    ++failed_;
    tasks_.erase(f.task_id);
    return;
  }
  ++t.attempt;
  t.service->queue.push_front(t.envelope.experiment_id, &t);
  mark_dirty(*t.service);
}

// The worker has credit again: put it in line for each of its services.
void Broker::Impl::offer_credit(Worker& w) {
  if (!w.has_credit()) return;
  for (std::size_t i = 0; i < w.services.size(); ++i) {
    if (w.waiting[i]) continue;
    w.waiting[i] = 1;
    w.services[i]->waiting.push_back(&w);
    mark_dirty(*w.services[i]);
  }
}

void Broker::Impl::mark_dirty(Service& s) {
  if (s.dirty) return;
  s.dirty = true;
  dirty_.push_back(&s);
}

void Broker::Impl::dispatch_dirty() {
  while (!dirty_.empty()) {
    Service* s = dirty_.back();
    dirty_.pop_back();
    s->dirty = false;
    dispatch(*s);
  }
}

// Match queued tasks with workers in line, round-robin over both, then send
// each worker its share as one message.
void Broker::Impl::dispatch(Service& s) {
  std::vector<Worker*> served;  // workers with an outbox, in first-served order
  while (!s.queue.empty() && !s.waiting.empty()) {
    Worker* w = s.waiting.front();
    s.waiting.pop_front();
    std::size_t i = static_cast<std::size_t>(std::find(w->services.begin(), w->services.end(), &s) - w->services.begin());
    if (!w->has_credit()) {
      w->waiting[i] = 0;
      continue;
    }
    TaskState* t = nullptr;
    s.queue.pop(t);
    hold(*w, *t);
    dispatch_rate_.add(Clock::now());
    if (w->outbox.empty()) served.push_back(w);
    w->outbox.push_back(t);
    if (w->has_credit())
      s.waiting.push_back(w);
    else
      w->waiting[i] = 0;
  }
  for (Worker* w : served) {
    std::vector<TaskState*> tasks;
    tasks.swap(w->outbox);
    send_tasks(s, *w, tasks);  // may remove w
  }
}

// A worker that is gone gets its unsent tasks back at the front of the
// queue, attempt unchanged (they never left), and is removed.
void Broker::Impl::send_tasks(Service& s, Worker& w, const std::vector<TaskState*>& tasks) {
  std::size_t sent = 0;
  if (w.batch && tasks.size() > 1) {
    schemas::TaskBatch batch;
    batch.tasks.reserve(tasks.size());
    for (TaskState* t : tasks)
      batch.tasks.push_back({t->envelope.task_id, t->attempt, t->envelope.experiment_id, t->envelope.body});
    if (send_worker(w.identity, Command::kTasks, schemas::encode(batch))) sent = tasks.size();
  } else {
    for (TaskState* t : tasks) {
      schemas::Task task{t->envelope.task_id, t->attempt, t->envelope.experiment_id, t->envelope.body};
      if (!send_worker(w.identity, Command::kTask, schemas::encode(task))) break;
      ++sent;
    }
  }
  if (sent == tasks.size()) return;
  for (std::size_t k = tasks.size(); k-- > sent;) {
    release(w, *tasks[k]);
    s.queue.push_front(tasks[k]->envelope.experiment_id, tasks[k]);
  }
  mark_dirty(s);
  remove_worker(w, "connection lost");
}

// A service that no worker serves and no task waits for or runs in is
// forgotten at the tick, so that STATUS and the broker's memory do not grow
// with every service name ever submitted or announced. Nothing points to
// such a service: tasks exist only while queued or in flight, workers only
// while registered, and it is not waiting for a dispatch pass.
void Broker::Impl::forget_idle_services() {
  for (auto it = services_.begin(); it != services_.end();) {
    const Service& s = *it->second;
    if (s.workers == 0 && s.queue.empty() && s.in_flight == 0 && !s.dirty)
      it = services_.erase(it);
    else
      ++it;
  }
}

Service& Broker::Impl::service(const std::string& name, const std::string& identity, bool* created) {
  // Length-prefixed, so that no (name, identity) pair spells another's key.
  auto& slot = services_[std::to_string(name.size()) + ":" + name + identity];
  if (created) *created = !slot;
  if (!slot) {
    slot = std::make_unique<Service>();
    slot->name = name;
    slot->identity = identity;
  }
  return *slot;
}

// Tasks of a service that wait for one identity while its workers advertise
// another would otherwise wait without a word: say which identities miss.
void Broker::Impl::warn_identity_mismatch(const std::string& name) {
  std::string waiting, serving;
  std::size_t tasks = 0;
  for (const auto& [key, s] : services_) {
    if (s->name != name) continue;
    if (s->workers > 0) {
      serving += (serving.empty() ? "'" : ", '") + s->identity + "' (" + std::to_string(s->workers) + " workers)";
    } else if (!s->queue.empty()) {
      waiting += (waiting.empty() ? "'" : ", '") + s->identity + "'";
      tasks += s->queue.size();
    }
  }
  if (waiting.empty() || serving.empty()) return;
  spdlog::warn("broker: service {}: {} queued tasks need backend identity {}, but its workers advertise {}; "
               "those tasks go only to a worker with the identity they need", name, tasks, waiting, serving);
}

bool Broker::Impl::send_client(const std::string& client, Command c, const std::string& body) {
  if (send_message(clients_socket_, &client, c, body)) return true;
  spdlog::warn("broker: cannot send {} to client {}: it is gone", schemas::command_name(c), printable_id(client));
  return false;
}

bool Broker::Impl::send_worker(const std::string& identity, Command c, const std::string& body) {
  if (send_message(workers_socket_, &identity, c, body)) return true;
  spdlog::warn("broker: cannot send {} to worker {}: it is gone", schemas::command_name(c), printable_id(identity));
  return false;
}

// ---------------------------------------------------------------------------

Broker::Broker(BrokerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Broker::~Broker() = default;
void Broker::run() { impl_->run(); }
void Broker::stop() { impl_->stop(); }
std::string Broker::client_endpoint() const { return impl_->client_endpoint_; }
std::string Broker::worker_endpoint() const { return impl_->worker_endpoint_; }
std::string Broker::instance_id() const { return impl_->instance_id_; }
std::string Broker::inproc_client_endpoint() const { return impl_->inproc_client_endpoint_; }
std::string Broker::inproc_worker_endpoint() const { return impl_->inproc_worker_endpoint_; }
std::shared_ptr<zmq::context_t> Broker::context() const { return impl_->context_; }

}  // namespace bigpe::broker
