#include "broker/wire_message.h"

#include <cstring>

namespace bigpe::broker {
namespace {

constexpr std::size_t kHeaderLength = 7;  // strlen("BIGPE/1")

// Reads the rest of a multipart message into nothing, so that the next
// receive starts at a message boundary.
void discard_rest(zmq::socket_t& socket, const zmq::message_t& last) {
  bool more = last.more();
  zmq::message_t scratch;
  while (more) {
    if (!socket.recv(scratch, zmq::recv_flags::none)) break;
    more = scratch.more();
  }
}

}  // namespace

bool receive_message(zmq::socket_t& socket, bool routed, WireMessage& out) {
  const std::size_t expected = routed ? 4 : 3;
  zmq::message_t frames[4];
  if (!socket.recv(frames[0], zmq::recv_flags::dontwait)) return false;
  std::size_t count = 1;
  // A message arrives whole, so once its first frame is here the rest is too.
  while (frames[count - 1].more() && count < expected) {
    if (!socket.recv(frames[count], zmq::recv_flags::none)) break;
    ++count;
  }
  const bool extra = frames[count - 1].more();
  discard_rest(socket, frames[count - 1]);

  out.error.clear();
  out.command_name.clear();
  out.body.clear();
  out.peer = routed ? frames[0].to_string() : std::string();
  // Frames are numbered as in schemas/README.md section 1: 0 header,
  // 1 command, 2 body, not counting the routing id a ROUTER sees first.
  const std::size_t h = routed ? 1 : 0;
  if (count != expected || extra) {
    out.error = "expected 3 frames (header, command, body" + std::string(routed ? ", after the routing id" : "") +
                "), got " + (extra ? "more" : std::to_string(count - h));
    return true;
  }
  const zmq::message_t& header = frames[h];
  if (header.size() != kHeaderLength ||
      std::memcmp(header.data(), schemas::kProtocolHeader, kHeaderLength) != 0) {
    out.error = "frame 0 (header): expected \"" + std::string(schemas::kProtocolHeader) + "\", got " +
                std::to_string(header.size()) + " bytes";
    return true;
  }
  out.command_name = frames[h + 1].to_string();
  std::optional<schemas::Command> command = schemas::parse_command(out.command_name);
  if (!command) {
    out.error = "frame 1 (command): unknown command \"" + printable_id(out.command_name) + "\"";
    return true;
  }
  out.command = *command;
  out.body.assign(static_cast<const char*>(frames[h + 2].data()), frames[h + 2].size());
  return true;
}

bool send_message(zmq::socket_t& socket, const std::string* routing_id, schemas::Command command,
                  const std::string& body) {
  try {
    if (routing_id != nullptr) {
      if (!socket.send(zmq::buffer(*routing_id), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
        return false;
    }
    // Once the first frame is accepted, the rest of the message is too.
    const char* name = schemas::command_name(command);
    if (!socket.send(zmq::const_buffer(schemas::kProtocolHeader, kHeaderLength),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return false;  // only possible on a DEALER, where this is the first frame
    socket.send(zmq::const_buffer(name, std::strlen(name)),
                zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    return socket.send(zmq::buffer(body), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return false;
    throw;
  }
}

std::string printable_id(const std::string& id) {
  bool text = !id.empty() && id.size() <= 64;
  for (unsigned char c : id)
    if (c < 0x20 || c > 0x7e) text = false;
  if (text) return id;
  static const char* hex = "0123456789abcdef";
  std::string out = "0x";
  for (std::size_t i = 0; i < id.size() && i < 32; ++i) {
    out += hex[static_cast<unsigned char>(id[i]) >> 4];
    out += hex[static_cast<unsigned char>(id[i]) & 15];
  }
  if (id.size() > 32) out += "...";
  return out;
}

}  // namespace bigpe::broker
