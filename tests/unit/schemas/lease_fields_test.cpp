// The fields the task leases and the worker watchdog added to the wire
// (schemas/README.md): SUBMIT lease_ms, the worker's CANCEL, HEARTBEAT
// busy_ms/stalled, STATUS worker_list. Each round-trips, is optional (an
// old peer's body still decodes, with the defaults), and a bad value is
// refused naming the field.
#include <gtest/gtest.h>
#include <msgpack.hpp>

#include "schemas/decode_error.h"
#include "schemas/messages.h"

namespace bigpe::schemas {
namespace {

TEST(LeaseFields, SubmitLeaseRoundTripsAndDefaultsToZero) {
  Submit s;
  s.tasks.push_back({"t1", "e", "svc", "body", "id-a", 1500});
  s.tasks.push_back({"t2", "e", "svc", "body"});
  Submit back = decode_submit(encode(s));
  ASSERT_EQ(back.tasks.size(), 2u);
  EXPECT_EQ(back.tasks[0].lease_ms, 1500);
  EXPECT_EQ(back.tasks[1].lease_ms, 0);
}

TEST(LeaseFields, NegativeLeaseIsRefusedNamingTheField) {
  // Our writer never sends one (it omits lease_ms unless positive).
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(2);
  pk.pack(std::string("v"));
  pk.pack(1);
  pk.pack(std::string("tasks"));
  pk.pack_array(1);
  pk.pack_map(4);
  pk.pack(std::string("task_id"));
  pk.pack(std::string("t1"));
  pk.pack(std::string("service"));
  pk.pack(std::string("svc"));
  pk.pack(std::string("body"));
  pk.pack(std::string("b"));
  pk.pack(std::string("lease_ms"));
  pk.pack(-5);
  try {
    decode_submit(std::string(buf.data(), buf.size()));
    FAIL() << "a negative lease was accepted";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("lease_ms"), std::string::npos) << e.what();
  }
}

TEST(LeaseFields, WorkerCancelRoundTripsAndNeedsTaskAndAttempt) {
  CancelTask c = decode_cancel_task(encode(CancelTask{"t9", 2}));
  EXPECT_EQ(c.task_id, "t9");
  EXPECT_EQ(c.attempt, 2);
  // The client's CANCEL body names no task: refused, not misread.
  EXPECT_THROW(decode_cancel_task(encode(Cancel{"exp"})), DecodeError);
}

TEST(LeaseFields, HeartbeatCarriesBusyAndStalledOnlyWhileBusy) {
  Heartbeat busy = decode_heartbeat(encode(Heartbeat{"gpu0", 4200, true}));
  EXPECT_EQ(busy.sender, "gpu0");
  EXPECT_EQ(busy.busy_ms, 4200);
  EXPECT_TRUE(busy.stalled);
  // An idle heartbeat is the same bytes as before the fields existed.
  EXPECT_EQ(encode(Heartbeat{"gpu0"}), encode(Heartbeat{"gpu0", 0, false}));
  Heartbeat idle = decode_heartbeat(encode(Heartbeat{"gpu0"}));
  EXPECT_EQ(idle.busy_ms, 0);
  EXPECT_FALSE(idle.stalled);
}

TEST(LeaseFields, StatusWorkerListRoundTrips) {
  StatusReply r;
  r.workers = 1;
  r.worker_list.push_back({"gpu0", {"sim", "sdxl"}, 2, 1, true, 9000, true});
  StatusReply back = decode_status_reply(encode(r));
  ASSERT_EQ(back.worker_list.size(), 1u);
  const WorkerStatus& w = back.worker_list[0];
  EXPECT_EQ(w.worker_id, "gpu0");
  EXPECT_EQ(w.services, (std::vector<std::string>{"sim", "sdxl"}));
  EXPECT_EQ(w.slots, 2);
  EXPECT_EQ(w.held, 1);
  EXPECT_TRUE(w.suspect);
  EXPECT_EQ(w.busy_ms, 9000);
  EXPECT_TRUE(w.stalled);
}

}  // namespace
}  // namespace bigpe::schemas
