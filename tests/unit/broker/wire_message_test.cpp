// Framing errors name frames as schemas/README.md section 1 numbers them
// (0 header, 1 command, 2 body), on the ROUTER side too, where the routing
// id comes first and is not counted. An inproc ROUTER/DEALER pair.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "broker/wire_message.h"

namespace bigpe::broker {
namespace {

class WireMessageTest : public ::testing::Test {
 protected:
  WireMessageTest() : router_(ctx_, zmq::socket_type::router), dealer_(ctx_, zmq::socket_type::dealer) {
    router_.bind("inproc://wire-message-test");
    dealer_.set(zmq::sockopt::routing_id, "peer");
    dealer_.connect("inproc://wire-message-test");
  }
  // Sends `frames` from the DEALER and reads them at the ROUTER.
  WireMessage at_router(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      dealer_.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    WireMessage m;
    zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(5000));
    EXPECT_TRUE(receive_message(router_, true, m)) << "nothing arrived";
    return m;
  }
  zmq::context_t ctx_{1};
  zmq::socket_t router_;
  zmq::socket_t dealer_;
};

TEST_F(WireMessageTest, AGoodMessageHasNoErrorAndItsPeer) {
  WireMessage m = at_router({"BIGPE/1", "HEARTBEAT", "body"});
  EXPECT_EQ(m.error, "");
  EXPECT_EQ(m.peer, "peer");
  EXPECT_EQ(m.command, schemas::Command::kHeartbeat);
  EXPECT_EQ(m.body, "body");
}

TEST_F(WireMessageTest, ErrorsNumberFramesAsTheDocumentDoes) {
  EXPECT_EQ(at_router({"BIGPE/2", "READY", "b"}).error, "frame 0 (header): expected \"BIGPE/1\", got 7 bytes");
  EXPECT_EQ(at_router({"BIGPE/1", "NOPE", "b"}).error, "frame 1 (command): unknown command \"NOPE\"");
  EXPECT_EQ(at_router({"BIGPE/1", "READY"}).error,
            "expected 3 frames (header, command, body, after the routing id), got 2");
  EXPECT_EQ(at_router({"BIGPE/1", "READY", "b", "extra"}).error,
            "expected 3 frames (header, command, body, after the routing id), got more");
  WireMessage after = at_router({"BIGPE/1", "STATUS", "b"});
  EXPECT_EQ(after.error, "") << "a bad message does not desynchronise the socket";
}

}  // namespace
}  // namespace bigpe::broker
