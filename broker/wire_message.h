#pragma once
// One protocol message on the wire: [routing id] "BIGPE/1" COMMAND body
// (schemas/README.md, "Frames"). The routing id frame exists only on the
// ROUTER side. These helpers read a whole multipart message however
// malformed it is (so a bad message never desynchronises the socket) and say
// precisely what was wrong, and send one message without blocking.
//
// Thread-safety: like the zmq::socket_t passed in (one thread per socket).
#include <string>

#include <zmq.hpp>

#include "schemas/protocol.h"

namespace bigpe::broker {

struct WireMessage {
  std::string peer;  // routing id (ROUTER side), empty otherwise
  schemas::Command command = schemas::Command::kHeartbeat;
  std::string command_name;  // as received, for logs
  std::string body;          // msgpack map, not yet decoded
  std::string error;         // non-empty when the frames are malformed
};

// Receives one whole message without waiting. Returns false when none is
// queued. On true, `out.error` is empty for a well-formed message or names
// the frame and what was wrong with it; `out.peer` is always set when routed.
bool receive_message(zmq::socket_t& socket, bool routed, WireMessage& out);

// Sends one message without waiting. Returns false when the peer is unknown
// or gone (EHOSTUNREACH under ZMQ_ROUTER_MANDATORY) or its queue is full.
// `routing_id` is null on a DEALER.
bool send_message(zmq::socket_t& socket, const std::string* routing_id, schemas::Command command,
                  const std::string& body);

// A routing id fit for a log line (binary ids shown as hex).
std::string printable_id(const std::string& id);

}  // namespace bigpe::broker
