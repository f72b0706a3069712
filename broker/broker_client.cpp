// The client keeps the truth about its own tasks (the in-flight table) and
// treats the broker as replaceable: whenever the broker may have lost its
// queue (new instance id, silence, a missed deadline) it resubmits, and the
// broker's and this client's deduplication make that harmless.
#include "broker/broker_client.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "broker/wire_message.h"
#include "schemas/decode_error.h"

namespace bigpe::broker {
namespace {

using Clock = std::chrono::steady_clock;
using schemas::Command;

constexpr int kHighWaterMark = 1000000;
constexpr std::chrono::milliseconds kLeaveLinger{200};

}  // namespace

class BrokerClient::Impl {
 public:
  Impl(std::string endpoint, std::string client_id, BrokerClientOptions options)
      : endpoint_(std::move(endpoint)), client_id_(std::move(client_id)), options_(options),
        context_(options_.context ? options_.context : std::make_shared<zmq::context_t>(1)) {
    if (client_id_.empty() || client_id_.size() > 255 || client_id_[0] == '\0')
      throw std::invalid_argument("BrokerClient: client_id must be 1 to 255 bytes, not starting with a zero byte");
    if (options_.heartbeat_interval.count() <= 0 || options_.liveness < 1 || options_.task_deadline.count() <= 0)
      throw std::invalid_argument("BrokerClient: heartbeat_interval, liveness and task_deadline must be positive");
    heartbeat_body_ = schemas::encode(schemas::Heartbeat{client_id_});
    connect();
    keepalive_ = std::thread([this] { keep_alive(); });
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> l(stop_mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    keepalive_.join();
    leave();
  }

  void submit(const std::vector<schemas::TaskEnvelope>& tasks) {
    std::lock_guard<std::mutex> l(mu_);
    Clock::time_point deadline = Clock::now() + options_.task_deadline;
    for (const schemas::TaskEnvelope& t : tasks) in_flight_[t.task_id] = Pending{t, deadline};
    send_tasks(tasks);
  }

  std::vector<Event> poll(std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> l(mu_);
    pump(Clock::now() + timeout, [this] { return !events_.empty(); });
    std::vector<Event> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
    events_.clear();
    return out;
  }

  schemas::StatusReply status(std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> l(mu_);
    status_reply_.reset();
    send(Command::kStatus, schemas::encode_empty());
    pump(Clock::now() + timeout, [this] { return status_reply_.has_value(); });
    if (!status_reply_)
      throw std::runtime_error("BrokerClient: no STATUS reply from broker at " + endpoint_ + " within " +
                               std::to_string(timeout.count()) + " ms");
    return *status_reply_;
  }

  void cancel(const std::string& experiment_id) {
    std::lock_guard<std::mutex> l(mu_);
    send(Command::kCancel, schemas::encode(schemas::Cancel{experiment_id}));
    for (auto it = in_flight_.begin(); it != in_flight_.end();)
      it = it->second.envelope.experiment_id == experiment_id ? in_flight_.erase(it) : std::next(it);
  }

  std::size_t in_flight() const {
    std::lock_guard<std::mutex> l(mu_);
    return in_flight_.size();
  }
  const std::string& endpoint() const { return endpoint_; }

  std::string broker_id() const {
    std::lock_guard<std::mutex> l(mu_);
    return broker_id_;
  }

 private:
  // Says DISCONNECT so that the broker forgets us at once: a client that
  // just vanishes (every `bigpe status` poll) is found gone only when a
  // heartbeat to it fails, which the broker logs as a warning. The linger
  // lets the message leave before the socket closes, bounded so that a
  // broker that is gone delays nobody.
  void leave() {
    try {
      socket_->set(zmq::sockopt::linger, static_cast<int>(kLeaveLinger.count()));
      send_message(*socket_, nullptr, Command::kDisconnect, schemas::encode(schemas::Disconnect{"client leaving"}));
    } catch (const zmq::error_t&) {
      // The socket is closing anyway; the broker then times us out.
    }
  }

  struct Pending {
    schemas::TaskEnvelope envelope;
    Clock::time_point deadline;
  };

  void connect() {
    socket_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer);
    socket_->set(zmq::sockopt::routing_id, client_id_);
    socket_->set(zmq::sockopt::linger, 0);
    socket_->set(zmq::sockopt::sndhwm, kHighWaterMark);
    socket_->set(zmq::sockopt::rcvhwm, kHighWaterMark);
    socket_->set(zmq::sockopt::maxmsgsize, schemas::kMaxMessageBytes);
    if (options_.curve.enabled()) {
      socket_->set(zmq::sockopt::curve_serverkey, options_.curve.server_public);
      socket_->set(zmq::sockopt::curve_publickey, options_.curve.public_key);
      socket_->set(zmq::sockopt::curve_secretkey, options_.curve.secret_key);
    }
    // Never retry slower than we heartbeat, so a restarted broker is found
    // within about one interval.
    int ivl = static_cast<int>(std::min<int64_t>(options_.heartbeat_interval.count(),
                                                  schemas::kReconnectInitial.count()));
    socket_->set(zmq::sockopt::reconnect_ivl, ivl);
    socket_->set(zmq::sockopt::reconnect_ivl_max, static_cast<int>(schemas::kReconnectMax.count()));
    socket_->connect(endpoint_);
    Clock::time_point now = Clock::now();
    last_heard_ = now;
    // Say hello at once: the broker answers with its instance id.
    send(Command::kHeartbeat, heartbeat_body_);
    next_heartbeat_ = now + options_.heartbeat_interval;
  }

  void send(Command c, const std::string& body) {
    if (!send_message(*socket_, nullptr, c, body))
      spdlog::warn("BrokerClient: could not queue {} to {}", schemas::command_name(c), endpoint_);
  }

  void send_tasks(const std::vector<schemas::TaskEnvelope>& tasks) {
    for (std::size_t i = 0; i < tasks.size(); i += schemas::kSubmitChunk) {
      schemas::Submit s;
      s.batch = true;
      auto end = tasks.begin() + static_cast<std::ptrdiff_t>(std::min(tasks.size(), i + schemas::kSubmitChunk));
      s.tasks.assign(tasks.begin() + static_cast<std::ptrdiff_t>(i), end);
      send(Command::kSubmit, schemas::encode(s));
    }
  }

  void resubmit_all(const char* why) {
    spdlog::warn("BrokerClient: {}; resubmitting {} in-flight tasks", why, in_flight_.size());
    std::vector<schemas::TaskEnvelope> tasks;
    tasks.reserve(in_flight_.size());
    Clock::time_point deadline = Clock::now() + options_.task_deadline;
    for (auto& [id, p] : in_flight_) {
      tasks.push_back(p.envelope);
      p.deadline = deadline;
    }
    send_tasks(tasks);
  }

  // Heartbeats (and reads what arrived) while no caller is inside poll(),
  // submit() or status(): a scheduler waiting minutes on its LLM must not
  // look dead to the broker, which would drop it and the results it holds.
  void keep_alive() {
    std::unique_lock<std::mutex> stop(stop_mu_);
    while (!stop_cv_.wait_for(stop, options_.heartbeat_interval / 2, [this] { return stopping_; })) {
      std::unique_lock<std::mutex> l(mu_, std::try_to_lock);
      if (!l) continue;  // a caller is pumping, and heartbeats itself
      try {
        pump(Clock::now(), [] { return true; });
        zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(0));
        if (item.revents & ZMQ_POLLIN) drain();
      } catch (const std::exception& e) {
        spdlog::warn("BrokerClient: keepalive: {}", e.what());
      }
    }
  }

  // Handles messages and timers until done() or the deadline.
  template <typename Done>
  void pump(Clock::time_point deadline, Done done) {
    for (;;) {
      Clock::time_point now = Clock::now();
      if (now >= next_heartbeat_) tick(now);
      if (done() || now >= deadline) return;
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(deadline, next_heartbeat_) - now);
      zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::max(wait, std::chrono::milliseconds(0)));
      if (item.revents & ZMQ_POLLIN) drain();
    }
  }

  void tick(Clock::time_point now) {
    next_heartbeat_ = now + options_.heartbeat_interval;
    if (now - last_heard_ > options_.heartbeat_interval * options_.liveness) {
      spdlog::warn("BrokerClient: broker at {} silent for {} intervals; reconnecting", endpoint_, options_.liveness);
      connect();
      if (!in_flight_.empty()) resubmit_all("reconnected");
      return;
    }
    send(Command::kHeartbeat, heartbeat_body_);
    std::vector<schemas::TaskEnvelope> late;
    for (auto& [id, p] : in_flight_) {
      if (p.deadline > now) continue;
      late.push_back(p.envelope);
      p.deadline = now + options_.task_deadline;
    }
    if (!late.empty()) {
      spdlog::warn("BrokerClient: {} tasks passed their deadline; resubmitting", late.size());
      send_tasks(late);
    }
  }

  void drain() {
    while (receive_message(*socket_, false, message_)) {
      if (!message_.error.empty()) {
        spdlog::warn("BrokerClient: dropped message from broker: {}", message_.error);
        continue;
      }
      try {
        handle(message_);
        last_heard_ = Clock::now();
      } catch (const schemas::DecodeError& e) {
        spdlog::warn("BrokerClient: dropped {} from broker: {}", message_.command_name, e.what());
      }
    }
  }

  void handle(const WireMessage& m) {
    switch (m.command) {
      case Command::kHeartbeat:
        learn_broker(schemas::decode_heartbeat(m.body).sender);
        break;
      case Command::kAccepted:
        learn_broker(schemas::decode_accepted(m.body).broker_id);
        break;
      case Command::kResult: {
        Event e{Event::Kind::kResult, schemas::decode_result(m.body), {}};
        if (in_flight_.erase(e.result.task_id) == 1) events_.push_back(std::move(e));
        break;
      }
      case Command::kResults:
        for (auto& e : schemas::decode_result_batch(m.body)) {
          if (!e.value) {
            spdlog::warn("BrokerClient: dropped a result of a RESULTS from broker: {}", e.error);
          } else if (in_flight_.erase(e.value->task_id) == 1) {
            events_.push_back(Event{Event::Kind::kResult, std::move(*e.value), {}});
          }
        }
        break;
      case Command::kFailed: {
        Event e{Event::Kind::kFailed, {}, schemas::decode_failed(m.body)};
        if (in_flight_.erase(e.failed.task_id) == 1) events_.push_back(std::move(e));
        break;
      }
      case Command::kStatus:
        status_reply_ = schemas::decode_status_reply(m.body);
        break;
      case Command::kDisconnect:
        // The broker is going away; its successor will have a new id.
        spdlog::info("BrokerClient: broker said DISCONNECT ({})", schemas::decode_disconnect(m.body).reason);
        break;
      default:
        spdlog::warn("BrokerClient: dropped {} from broker: not a broker-to-client command", m.command_name);
    }
  }

  // A new instance id means a new broker with an empty queue.
  void learn_broker(const std::string& id) {
    if (id.empty() || id == broker_id_) return;
    bool restarted = !broker_id_.empty();
    broker_id_ = id;
    if (restarted && !in_flight_.empty()) resubmit_all("broker restarted");
  }

  std::string endpoint_;
  std::string client_id_;
  BrokerClientOptions options_;
  std::shared_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::string heartbeat_body_;
  std::string broker_id_;
  std::unordered_map<std::string, Pending> in_flight_;
  std::deque<Event> events_;
  std::optional<schemas::StatusReply> status_reply_;
  Clock::time_point last_heard_;
  Clock::time_point next_heartbeat_;
  WireMessage message_;
  // mu_ serializes every use of the socket and the state above between the
  // caller's thread and keepalive_ (ZeroMQ allows a socket to change threads
  // behind a full memory barrier, which the mutex is).
  mutable std::mutex mu_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread keepalive_;
};

BrokerClient::BrokerClient(std::string endpoint, std::string client_id, BrokerClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(client_id), options)) {}
BrokerClient::~BrokerClient() = default;
void BrokerClient::submit(const std::vector<schemas::TaskEnvelope>& tasks) { impl_->submit(tasks); }
std::vector<BrokerClient::Event> BrokerClient::poll(std::chrono::milliseconds timeout) { return impl_->poll(timeout); }
std::size_t BrokerClient::in_flight() const { return impl_->in_flight(); }
schemas::StatusReply BrokerClient::status(std::chrono::milliseconds timeout) { return impl_->status(timeout); }
void BrokerClient::cancel(const std::string& experiment_id) { impl_->cancel(experiment_id); }
const std::string& BrokerClient::endpoint() const { return impl_->endpoint(); }
std::string BrokerClient::broker_id() const { return impl_->broker_id(); }

}  // namespace bigpe::broker
