#pragma once
// ZapHandler: the broker's gatekeeper (ZeroMQ Authentication Protocol,
// rfc 27/ZAP). libzmq asks the REP socket bound at inproc://zeromq.zap.01
// in the broker's context about every CURVE handshake on a server socket;
// this handler answers 200 when the peer's public key is listed for the
// socket's ZAP domain ("clients" or "workers") and 400 otherwise, and logs
// each refusal with the key, so an operator sees who knocked. A peer that
// is refused never gets to send a single message.
//
// Thread-safety: the handler runs on a thread of its own (ZAP requests
// arrive from libzmq's I/O threads while the broker's loop is busy); the
// counters may be read from any thread. Construct it before binding the
// server sockets and destroy it before the context.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <zmq.hpp>

namespace bigpe::broker {

inline constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
inline constexpr const char* kClientDomain = "clients";
inline constexpr const char* kWorkerDomain = "workers";

class ZapHandler {
 public:
  // allowed: ZAP domain -> Z85 public keys accepted in it. Throws
  // zmq::error_t when the endpoint is taken (one handler per context).
  ZapHandler(zmq::context_t& context, std::map<std::string, std::set<std::string>> allowed);
  ~ZapHandler();  // stops and joins the thread
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  long accepted() const { return accepted_.load(); }
  long refused() const { return refused_.load(); }

 private:
  void serve();
  void answer(zmq::socket_t& rep);

  zmq::socket_t rep_;
  zmq::socket_t stop_pull_;
  std::string stop_endpoint_;
  zmq::context_t& context_;
  std::map<std::string, std::set<std::string>> allowed_;
  std::atomic<long> accepted_{0}, refused_{0};
  std::thread thread_;
};

}  // namespace bigpe::broker
