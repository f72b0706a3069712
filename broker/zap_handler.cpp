#include "broker/zap_handler.h"

#include <zmq.h>

#include <cstdio>
#include <vector>

#include <spdlog/spdlog.h>

namespace bigpe::broker {

ZapHandler::ZapHandler(zmq::context_t& context, std::map<std::string, std::set<std::string>> allowed)
    : rep_(context, zmq::socket_type::rep), stop_pull_(context, zmq::socket_type::pull),
      context_(context), allowed_(std::move(allowed)) {
  rep_.set(zmq::sockopt::linger, 0);
  rep_.bind(kZapEndpoint);
  char name[64];
  std::snprintf(name, sizeof name, "inproc://bigpe-zap-stop-%p", static_cast<void*>(this));
  stop_endpoint_ = name;
  stop_pull_.bind(stop_endpoint_);
  // Both sockets are created here and then used only by the thread (the
  // thread start is the hand-over's memory barrier).
  thread_ = std::thread([this] { serve(); });
}

ZapHandler::~ZapHandler() {
  try {
    zmq::socket_t poke(context_, zmq::socket_type::push);
    poke.set(zmq::sockopt::linger, 0);
    poke.connect(stop_endpoint_);
    poke.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  } catch (const zmq::error_t& e) {
    spdlog::error("zap: cannot stop the handler thread: {}", e.what());
  }
  thread_.join();
}

void ZapHandler::serve() {
  // No exception may end the process from this thread. Its REP socket
  // stays bound, so after a failure new handshakes wait unanswered: the
  // broker fails closed (nobody new is admitted), it never opens up.
  try {
    for (;;) {
      zmq::pollitem_t items[] = {{rep_.handle(), 0, ZMQ_POLLIN, 0}, {stop_pull_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN) return;
      if (items[0].revents & ZMQ_POLLIN) answer(rep_);
    }
  } catch (const std::exception& e) {
    spdlog::error("zap: handler stopped: {}; no new CURVE peer is admitted from now on", e.what());
  }
}

// Request: version, request id, domain, address, routing id, mechanism,
// credentials...; reply: version, request id, status code, status text,
// user id, metadata.
void ZapHandler::answer(zmq::socket_t& rep) {
  std::vector<std::string> frames;
  zmq::message_t m;
  do {
    if (!rep.recv(m, zmq::recv_flags::none)) return;
    frames.push_back(m.to_string());
  } while (m.more());
  std::string version = frames.size() > 0 ? frames[0] : "1.0";
  std::string request_id = frames.size() > 1 ? frames[1] : "";
  std::string code = "400", text = "refused", user;
  if (frames.size() >= 7 && frames[0] == "1.0") {
    const std::string& domain = frames[2];
    const std::string& address = frames[3];
    const std::string& mechanism = frames[5];
    std::string key;
    if (mechanism == "CURVE" && frames[6].size() == 32) {
      char z85[41];
      zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(frames[6].data()), 32);
      key = z85;
    }
    auto it = allowed_.find(domain);
    if (!key.empty() && it != allowed_.end() && it->second.count(key)) {
      code = "200";
      text = "OK";
      user = key;
      ++accepted_;
    } else {
      ++refused_;
      spdlog::warn("zap: refused {} peer {} on the {} socket: {}", mechanism, address, domain,
                   key.empty() ? std::string("no CURVE key") : "public key " + key + " is not listed");
    }
  } else {
    ++refused_;
    spdlog::warn("zap: refused a malformed ZAP request ({} frames)", frames.size());
  }
  const std::string reply[] = {version, request_id, code, text, user, ""};
  for (std::size_t i = 0; i < 6; ++i)
    rep.send(zmq::buffer(reply[i]), i + 1 < 6 ? zmq::send_flags::sndmore : zmq::send_flags::none);
}

}  // namespace bigpe::broker
