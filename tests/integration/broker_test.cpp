// The broker over real ZeroMQ sockets on loopback: a Broker in a thread,
// workers as small DEALER loops in threads, clients as BrokerClient or a raw
// DEALER when a test must see the exact messages on the wire (the peers are
// in broker_peers.h). Every wait is on a condition with a deadline.
#include <map>
#include <optional>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <msgpack.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
};

TEST_F(BrokerTest, BindsEphemeralPortsBeforeRun) {
  Broker b(test_options());
  EXPECT_NE(b.client_endpoint(), b.worker_endpoint());
  EXPECT_EQ(b.client_endpoint().rfind("tcp://127.0.0.1:", 0), 0u) << b.client_endpoint();
  EXPECT_EQ(b.client_endpoint().find('*'), std::string::npos);
  EXPECT_EQ(b.instance_id().size(), 16u);
  b.stop();
  b.run();  // returns at once: stop() before run() is honoured
}

TEST_F(BrokerTest, BindFailureNamesTheEndpoint) {
  try {
    Broker b(test_options("tcp://127.0.0.1:notaport"));
    FAIL() << "bind should fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tcp://127.0.0.1:notaport"), std::string::npos) << e.what();
  }
}

TEST_F(BrokerTest, ManyTasksOverManyWorkersEachResultDeliveredOnce) {
  BrokerRunner run(test_options());
  std::vector<std::unique_ptr<TestWorker>> workers;
  for (int i = 0; i < 3; ++i)
    workers.push_back(std::make_unique<TestWorker>(run.broker().worker_endpoint(), "w" + std::to_string(i), 2));
  BrokerClient probe(run.broker().client_endpoint(), "probe", client_options());
  ASSERT_EQ(status_when(probe, [](auto& r) { return r.workers == 3; }).workers, 3);

  RawPeer client(run.broker().client_endpoint(), "raw-client");
  const int kTasks = 300;
  schemas::Submit first{tasks("a", 150)}, second{tasks("b", 150)};
  client.send(Command::kSubmit, schemas::encode(first));
  client.send(Command::kSubmit, schemas::encode(second));
  std::map<std::string, int> results;
  int accepted = 0;
  while (static_cast<int>(results.size()) < kTasks) {
    auto m = client.next();
    ASSERT_TRUE(m.has_value()) << "only " << results.size() << " results";
    ASSERT_TRUE(m->error.empty()) << m->error;
    if (m->command == Command::kAccepted) {
      ++accepted;
      continue;
    }
    ASSERT_EQ(m->command, Command::kResult);
    schemas::Result r = schemas::decode_result(m->body);
    EXPECT_EQ(r.attempt, 1);
    EXPECT_TRUE(r.error.empty());
    ++results[r.task_id];
  }
  EXPECT_EQ(accepted, 2);
  // Anything the broker sent before answering STATUS arrives before the
  // reply, so a duplicate result would show up here.
  client.send(Command::kStatus, schemas::encode_empty());
  auto m = client.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->command, Command::kStatus) << "unexpected " << m->command_name;
  schemas::StatusReply status = schemas::decode_status_reply(m->body);
  EXPECT_EQ(status.completed, kTasks);
  EXPECT_EQ(status.queued, 0);
  EXPECT_EQ(status.in_flight, 0);
  for (auto& [id, count] : results) EXPECT_EQ(count, 1) << id;

  std::size_t received = 0;
  for (auto& w : workers) {
    EXPECT_LE(w->max_held(), 2u) << "credit exceeded";
    EXPECT_GT(w->received_count(), 0u) << "a worker got no work";
    received += w->received_count();
  }
  EXPECT_EQ(received, static_cast<std::size_t>(kTasks)) << "a task was dispatched twice";
}

// Reads RESULT and RESULTS messages off a raw client until `n` results (or
// the deadline); counts each task id and the messages of each kind.
struct RawResults {
  std::map<std::string, int> count;
  int result_messages = 0;
  int results_messages = 0;
};
RawResults read_results(RawPeer& client, std::size_t n) {
  RawResults out;
  while (out.count.size() < n) {
    auto m = client.next();
    if (!m.has_value()) break;
    EXPECT_TRUE(m->error.empty()) << m->error;
    if (m->command == Command::kResult) {
      ++out.result_messages;
      ++out.count[schemas::decode_result(m->body).task_id];
    } else if (m->command == Command::kResults) {
      ++out.results_messages;
      for (auto& e : schemas::decode_result_batch(m->body)) {
        EXPECT_TRUE(e.value.has_value()) << e.error;
        if (e.value) ++out.count[e.value->task_id];
      }
    }
  }
  return out;
}

TEST_F(BrokerTest, BatchPeersGetTasksAndResultsSeveralToAMessage) {
  BrokerRunner run(test_options());
  // Holds its 8 slots' worth until the budget opens, then answers all 8 in
  // one RESULTS, mixing both clients' tasks (fair share interleaves them).
  TestWorker worker(run.broker().worker_endpoint(), "batcher", 8, /*budget=*/0, {"svc"}, /*batch=*/true);
  RawPeer batch_client(run.broker().client_endpoint(), "batch-client");
  RawPeer plain_client(run.broker().client_endpoint(), "plain-client");
  schemas::Submit batched{tasks("b", 20, "exp-b")};
  batched.batch = true;
  plain_client.send(Command::kSubmit, schemas::encode(schemas::Submit{tasks("p", 20, "exp-p")}));
  batch_client.send(Command::kSubmit, schemas::encode(batched));
  ASSERT_TRUE(worker.wait_until([&] { return worker.received_locked() == 8; }));
  EXPECT_GT(worker.largest_message(), 1u) << "no TASKS carried several tasks";
  worker.set_budget(-1);

  RawResults b = read_results(batch_client, 20);
  RawResults p = read_results(plain_client, 20);
  ASSERT_EQ(b.count.size(), 20u);
  ASSERT_EQ(p.count.size(), 20u);
  for (auto& [id, n] : b.count) EXPECT_EQ(n, 1) << id;
  for (auto& [id, n] : p.count) EXPECT_EQ(n, 1) << id;
  EXPECT_GT(b.results_messages, 0) << "the batch client never got a RESULTS";
  EXPECT_LT(b.results_messages + b.result_messages, 20) << "results were not gathered";
  EXPECT_EQ(p.results_messages, 0) << "a client that did not say batch got RESULTS";
  EXPECT_EQ(p.result_messages, 20);
  EXPECT_LE(worker.max_held(), 8u) << "credit exceeded";
  EXPECT_EQ(worker.received_count(), 40u) << "a task was dispatched twice";
}

TEST_F(BrokerTest, MalformedElementOfResultsRetriesOnlyThatTask) {
  BrokerRunner run(test_options());
  RawPeer worker(run.broker().worker_endpoint(), "raw-worker");
  worker.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 2, "raw-worker", "h", "d", true}));
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  client.submit({envelope("good"), envelope("garbled")});
  auto m = worker.next();
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->command, Command::kTasks) << m->command_name;
  auto sent = schemas::decode_task_batch(m->body);
  ASSERT_EQ(sent.size(), 2u);

  // "good" answered properly; "garbled" without body or error.
  std::string results = [] {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    pk.pack_map(2);
    pk.pack(std::string("v"));
    pk.pack(1);
    pk.pack(std::string("results"));
    pk.pack_array(2);
    pk.pack_map(2);
    pk.pack(std::string("task_id"));
    pk.pack(std::string("good"));
    pk.pack(std::string("body"));
    pk.pack(schemas::encode(schemas::RenderResult{"good", {}, "raw-worker"}));
    pk.pack_map(1);
    pk.pack(std::string("task_id"));
    pk.pack(std::string("garbled"));
    return std::string(buf.data(), buf.size());
  }();
  worker.send(Command::kResults, results);

  auto retry = worker.next();
  ASSERT_TRUE(retry.has_value());
  ASSERT_EQ(retry->command, Command::kTask) << retry->command_name;
  schemas::Task again = schemas::decode_task(retry->body);
  EXPECT_EQ(again.task_id, "garbled");
  EXPECT_EQ(again.attempt, 2);
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, BrokerClient::Event::Kind::kResult);
  EXPECT_EQ(events[0].result.task_id, "good");
}

TEST_F(BrokerTest, InprocPeersShareTheBrokersContext) {
  BrokerRunner run(test_options());
  ASSERT_FALSE(run.broker().inproc_worker_endpoint().empty());
  std::shared_ptr<zmq::context_t> ctx = run.broker().context();
  BrokerClientOptions co = client_options();
  co.context = ctx;
  BrokerClient client(run.broker().inproc_client_endpoint(), "inproc-client", co);
  // A worker on the inproc endpoint, driven by hand.
  zmq::socket_t w(*ctx, zmq::socket_type::dealer);
  w.set(zmq::sockopt::linger, 0);
  w.connect(run.broker().inproc_worker_endpoint());
  ASSERT_TRUE(send_message(w, nullptr, Command::kReady,
                           schemas::encode(schemas::Ready{{"svc"}, 1, "inproc-worker", "h", "d", true})));
  client.submit({envelope("t")});
  WireMessage m;
  Clock::time_point deadline = Clock::now() + kDeadline;
  bool got = false;
  while (!got && Clock::now() < deadline) {
    zmq::pollitem_t item{w.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, 100ms);
    while (receive_message(w, false, m)) got = got || m.command == Command::kTask;
  }
  ASSERT_TRUE(got) << "no TASK over inproc";
  schemas::Result r{"t", schemas::encode(schemas::RenderResult{"t", {}, "inproc-worker"}), "", 1};
  ASSERT_TRUE(send_message(w, nullptr, Command::kResult, schemas::encode(r)));
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result.task_id, "t");
}

TEST_F(BrokerTest, WorkerReconnectingUnderItsIdTakesOverFromItsStaleConnection) {
  BrokerRunner run(test_options());
  // The old connection stays open but silent, as a half-open TCP
  // connection of a crashed machine would.
  RawPeer stale(run.broker().worker_endpoint(), "gpu0");
  stale.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 1, "gpu0", "h", "old", false}));
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  ASSERT_EQ(status_when(client, [](auto& r) { return r.workers == 1; }).workers, 1);

  RawPeer restarted(run.broker().worker_endpoint(), "gpu0");
  restarted.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 1, "gpu0", "h", "new", false}));
  // The broker answers READY with its HEARTBEAT: then the id is the new
  // connection's (refused without handover, it hears nothing).
  auto hello = restarted.next(kDeadline, /*heartbeats=*/true);
  ASSERT_TRUE(hello.has_value()) << "the restarted worker was never heard";
  EXPECT_EQ(hello->command, Command::kHeartbeat) << hello->command_name;

  client.submit({envelope("t")});
  auto m = restarted.next();
  ASSERT_TRUE(m.has_value()) << "no task for the restarted worker";
  ASSERT_EQ(m->command, Command::kTask) << m->command_name;
  schemas::Result r{"t", schemas::encode(schemas::RenderResult{"t", {}, "gpu0"}), "", 1};
  restarted.send(Command::kResult, schemas::encode(r));
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, BrokerClient::Event::Kind::kResult);
}

TEST_F(BrokerTest, StatusReportsQueuesWorkersAndFreeSlots) {
  BrokerRunner run(test_options());
  TestWorker busy(run.broker().worker_endpoint(), "busy", 2, /*budget=*/0, {"svc-a"});
  TestWorker idle(run.broker().worker_endpoint(), "idle", 3, -1, {"svc-b"});
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  ASSERT_EQ(status_when(client, [](auto& r) { return r.workers == 2; }).workers, 2);

  std::vector<schemas::TaskEnvelope> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(envelope("t" + std::to_string(i), "exp", "svc-a"));
  client.submit(batch);
  ASSERT_TRUE(busy.wait_until([&] { return busy.received_locked() == 2; }));
  schemas::StatusReply r = status_when(client, [](auto& r) { return r.in_flight == 2; });
  EXPECT_EQ(r.workers, 2);
  EXPECT_EQ(r.queued, 3);
  EXPECT_EQ(r.in_flight, 2);
  EXPECT_EQ(r.completed, 0);
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_EQ(r.services[0].name, "svc-a");
  EXPECT_EQ(r.services[0].queued, 3);
  EXPECT_EQ(r.services[0].in_flight, 2);
  EXPECT_EQ(r.services[0].workers, 1);
  EXPECT_EQ(r.services[0].free_slots, 0);
  EXPECT_EQ(r.services[1].name, "svc-b");
  EXPECT_EQ(r.services[1].queued, 0);
  EXPECT_EQ(r.services[1].workers, 1);
  EXPECT_EQ(r.services[1].free_slots, 3);
  EXPECT_EQ(busy.max_held(), 2u) << "credit is 2: exactly two tasks held";

  busy.set_budget(-1);
  EXPECT_EQ(collect(client, 5).size(), 5u);
  r = status_when(client, [](auto& r) { return r.completed == 5; });
  EXPECT_EQ(r.completed, 5);
  EXPECT_EQ(r.queued, 0);
  EXPECT_EQ(r.in_flight, 0);
  EXPECT_EQ(r.services[0].free_slots, 2);
  EXPECT_GT(r.dispatch_rate, 0.0);
  EXPECT_GT(r.result_rate, 0.0);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(BrokerTest, SilentWorkerTasksAreRequeuedAtFrontWithNextAttempt) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  auto silent = std::make_unique<TestWorker>(run.broker().worker_endpoint(), "silent", 2, /*budget=*/0);
  client.submit(tasks("t", 10));
  ASSERT_TRUE(silent->wait_until([&] { return silent->received_locked() == 2; }));
  std::vector<Received> lost = silent->received();
  silent->silence();

  schemas::StatusReply r = status_when(client, [](auto& r) { return r.workers == 0; });
  ASSERT_EQ(r.workers, 0) << "the silent worker was never declared dead";
  EXPECT_EQ(r.queued, 10);
  EXPECT_EQ(r.in_flight, 0);

  TestWorker rescuer(run.broker().worker_endpoint(), "rescuer", 1);
  auto events = collect(client, 10);
  ASSERT_EQ(events.size(), 10u);
  std::vector<Received> got = rescuer.received();
  ASSERT_EQ(got.size(), 10u);
  // The requeued tasks come first, on their second attempt.
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got[i].task_id, lost[i].task_id);
    EXPECT_EQ(got[i].attempt, 2);
  }
  for (std::size_t i = 2; i < got.size(); ++i) EXPECT_EQ(got[i].attempt, 1) << got[i].task_id;
  for (auto& e : events) {
    ASSERT_EQ(e.kind, BrokerClient::Event::Kind::kResult);
    bool was_lost = e.result.task_id == lost[0].task_id || e.result.task_id == lost[1].task_id;
    EXPECT_EQ(e.result.attempt, was_lost ? 2 : 1) << e.result.task_id;
  }
}

TEST_F(BrokerTest, WorkerDisconnectRequeuesItsTasks) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer quitter(run.broker().worker_endpoint());
  quitter.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 2, "quitter", "", ""}));
  client.submit(tasks("t", 4));
  std::set<std::string> taken;
  while (taken.size() < 2) {
    auto m = quitter.next();
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->command, Command::kTask);
    taken.insert(schemas::decode_task(m->body).task_id);
  }
  quitter.send(Command::kDisconnect, schemas::encode(schemas::Disconnect{"shutting down"}));
  TestWorker rescuer(run.broker().worker_endpoint(), "rescuer", 2);
  auto events = collect(client, 4);
  ASSERT_EQ(events.size(), 4u);
  for (auto& e : events) EXPECT_EQ(e.result.attempt, taken.count(e.result.task_id) ? 2 : 1) << e.result.task_id;
}

TEST_F(BrokerTest, TaskFailingEveryAttemptEndsFailedWithAllReasons) {
  BrokerRunner run(test_options());
  TestWorker w1(run.broker().worker_endpoint(), "w1", 2);
  TestWorker w2(run.broker().worker_endpoint(), "w2", 2);
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  auto batch = tasks("good", 10);
  batch.push_back(envelope("bad-1"));
  client.submit(batch);
  auto events = collect(client, 11);
  ASSERT_EQ(events.size(), 11u);
  int results = 0, failures = 0;
  for (auto& e : events) {
    if (e.kind == BrokerClient::Event::Kind::kResult) {
      ++results;
      EXPECT_EQ(e.result.task_id.rfind("good", 0), 0u);
      EXPECT_FALSE(e.result.body.empty());
      continue;
    }
    ++failures;
    EXPECT_EQ(e.failed.task_id, "bad-1");
    EXPECT_EQ(e.failed.attempts, 3);
    ASSERT_EQ(e.failed.reasons.size(), 3u);
    for (int a = 0; a < 3; ++a)
      EXPECT_NE(e.failed.reasons[a].find("attempt " + std::to_string(a + 1)), std::string::npos)
          << e.failed.reasons[a];
    EXPECT_NE(e.failed.reason.find("boom"), std::string::npos) << e.failed.reason;
  }
  EXPECT_EQ(results, 10);
  EXPECT_EQ(failures, 1);
  schemas::StatusReply r = client.status(kDeadline);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.completed, 10);
}

TEST_F(BrokerTest, FairShareInterleavesExperimentsSubmittedInSequence) {
  BrokerRunner run(test_options());
  TestWorker worker(run.broker().worker_endpoint(), "w", 1, /*budget=*/0);
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  client.submit(tasks("a", 100, "A"));
  client.submit(tasks("b", 100, "B"));
  // Both SUBMITs are processed once STATUS sees all 200.
  schemas::StatusReply r = status_when(client, [](auto& r) { return r.queued + r.in_flight == 200; });
  ASSERT_EQ(r.queued + r.in_flight, 200);
  worker.set_budget(-1);
  ASSERT_EQ(collect(client, 200).size(), 200u);

  std::vector<Received> order = worker.received();
  ASSERT_EQ(order.size(), 200u);
  EXPECT_EQ(order[0].experiment_id, "A");
  int b_in_first_20 = 0;
  for (int i = 0; i < 20; ++i) b_in_first_20 += order[i].experiment_id == "B";
  EXPECT_GE(b_in_first_20, 9) << "B waited behind A";
  int run_length = 1;
  for (int i = 1; i < 190; ++i) {
    run_length = order[i].experiment_id == order[i - 1].experiment_id ? run_length + 1 : 1;
    EXPECT_LE(run_length, 2) << "at dispatch " << i;
  }
}

TEST_F(BrokerTest, DuplicateSubmitIsAcceptedButNotDuplicated) {
  BrokerRunner run(test_options());
  TestWorker worker(run.broker().worker_endpoint(), "w", 1, /*budget=*/0);
  RawPeer client(run.broker().client_endpoint(), "raw");
  client.send(Command::kSubmit, schemas::encode(schemas::Submit{{envelope("t1"), envelope("t2")}}));
  client.send(Command::kSubmit, schemas::encode(schemas::Submit{{envelope("t1"), envelope("t2")}}));
  for (int i = 0; i < 2; ++i) {
    auto m = client.next();
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->command, Command::kAccepted);
    schemas::Accepted a = schemas::decode_accepted(m->body);
    EXPECT_EQ(a.task_ids, (std::vector<std::string>{"t1", "t2"}));
    EXPECT_EQ(a.broker_id, run.broker().instance_id());
  }
  worker.set_budget(-1);
  std::map<std::string, int> results;
  while (results.size() < 2) {
    auto m = client.next();
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->command, Command::kResult);
    ++results[schemas::decode_result(m->body).task_id];
  }
  client.send(Command::kStatus, schemas::encode_empty());
  auto m = client.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->command, Command::kStatus) << "a duplicate " << m->command_name << " arrived";
  EXPECT_EQ(schemas::decode_status_reply(m->body).completed, 2);
  EXPECT_EQ(results["t1"], 1);
  EXPECT_EQ(results["t2"], 1);
  EXPECT_EQ(worker.received_count(), 2u);
}

TEST_F(BrokerTest, CancelDropsTheExperimentsQueuedTasks) {
  BrokerRunner run(test_options());
  TestWorker worker(run.broker().worker_endpoint(), "w", 1, /*budget=*/0);
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  client.submit(tasks("a", 10, "A"));
  client.submit(tasks("b", 10, "B"));
  ASSERT_EQ(status_when(client, [](auto& r) { return r.queued == 19; }).queued, 19);
  client.cancel("A");
  EXPECT_EQ(client.in_flight(), 10u);
  schemas::StatusReply r = status_when(client, [](auto& r) { return r.queued == 10; });
  EXPECT_EQ(r.queued, 10);
  EXPECT_EQ(r.in_flight, 1);
  worker.set_budget(-1);
  auto events = collect(client, 10);
  ASSERT_EQ(events.size(), 10u);
  for (auto& e : events) EXPECT_EQ(e.result.task_id.rfind("b", 0), 0u) << e.result.task_id;
  // The one A task already in flight still completes; no other A task runs.
  r = status_when(client, [](auto& r) { return r.completed == 11; });
  EXPECT_EQ(r.completed, 11);
  int a_runs = 0;
  for (auto& t : worker.received()) a_runs += t.experiment_id == "A";
  EXPECT_EQ(a_runs, 1);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(BrokerTest, WorkerCommandBeforeReadyGetsDisconnect) {
  BrokerRunner run(test_options());
  RawPeer stranger(run.broker().worker_endpoint());
  stranger.send(Command::kResult, schemas::encode(schemas::Result{"t", "x", "", 1}));
  auto m = stranger.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->command, Command::kDisconnect);
}

std::string random_bytes(std::mt19937& rng, std::size_t max_len) {
  std::string s(std::uniform_int_distribution<std::size_t>(0, max_len)(rng), '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Random frame counts and bytes, sometimes with a valid header or command so
// that the later checks (not only the first) are exercised.
std::vector<std::string> garbage_message(std::mt19937& rng) {
  static const char* commands[] = {"READY", "RESULT", "SUBMIT", "STATUS", "CANCEL", "HEARTBEAT", "TASK", "NOPE"};
  std::vector<std::string> frames(std::uniform_int_distribution<int>(1, 6)(rng));
  for (auto& f : frames) f = random_bytes(rng, 40);
  if (rng() % 2 == 0) frames[0] = "BIGPE/1";
  if (frames.size() > 1 && rng() % 2 == 0) frames[1] = commands[rng() % 8];
  if (frames.size() == 3 && rng() % 3 == 0) frames[2] = std::string("\x81\xa1v\x01", 4);  // {v:1}
  return frames;
}

TEST_F(BrokerTest, GarbageFramesOnBothSocketsDoNotStopService) {
  spdlog::set_level(spdlog::level::off);
  BrokerRunner run(test_options());
  std::mt19937 rng(20240611);
  RawPeer bad_client(run.broker().client_endpoint(), "bad-client");
  RawPeer bad_worker(run.broker().worker_endpoint());
  for (int i = 0; i < 300; ++i) {
    bad_client.send_frames(garbage_message(rng));
    bad_worker.send_frames(garbage_message(rng));
  }
  // A registered worker that sends a malformed RESULT and a RESULT for a
  // task it does not hold stays registered.
  RawPeer sloppy(run.broker().worker_endpoint());
  sloppy.send(Command::kReady, schemas::encode(schemas::Ready{{"other"}, 1, "sloppy", "", ""}));
  // Registered once heard from (the acknowledgement, or a heartbeat: both
  // go to registered workers only); its connection may come up late.
  ASSERT_TRUE(sloppy.next(kDeadline, true).has_value()) << "sloppy was not registered";
  sloppy.send_frames({"BIGPE/1", "RESULT", "\xc1 not msgpack"});
  sloppy.send(Command::kResult, schemas::encode(schemas::Result{"no-such-task", "x", "", 1}));

  // Messages on one connection are handled in order: once these replies
  // come back, the garbage before them has been handled.
  bad_client.send(Command::kStatus, schemas::encode_empty());
  std::optional<WireMessage> reply;
  do reply = bad_client.next();
  while (reply && reply->command != Command::kStatus);
  ASSERT_TRUE(reply.has_value()) << "no STATUS reply after garbage";
  bad_worker.send(Command::kHeartbeat, schemas::encode(schemas::Heartbeat{}));
  std::optional<WireMessage> bye;
  do bye = bad_worker.next();
  while (bye && bye->command != Command::kDisconnect);
  ASSERT_TRUE(bye.has_value()) << "no DISCONNECT after garbage";

  spdlog::set_level(spdlog::level::err);
  TestWorker worker(run.broker().worker_endpoint(), "w", 2);
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  client.submit(tasks("t", 20));
  EXPECT_EQ(collect(client, 20).size(), 20u);
  schemas::StatusReply r = status_when(client, [](const schemas::StatusReply& s) { return s.workers >= 2; });
  EXPECT_GE(r.workers, 2) << "the sloppy worker was dropped";
  EXPECT_FALSE(run.returned()) << run.error();
}

TEST_F(BrokerTest, RestartedBrokerGetsClientToResubmitAndRunCompletes) {
  auto first = std::make_unique<BrokerRunner>(test_options());
  const std::string clients = first->broker().client_endpoint();
  const std::string workers = first->broker().worker_endpoint();
  const std::string first_id = first->broker().instance_id();
  TestWorker worker(workers, "w", 2, /*budget=*/10);
  BrokerClient client(clients, "client", client_options());
  client.submit(tasks("t", 40));
  std::vector<BrokerClient::Event> events = collect(client, 10);
  ASSERT_EQ(events.size(), 10u);
  ASSERT_EQ(client.in_flight(), 30u);

  first.reset();  // the broker dies with 30 tasks queued or in flight
  BrokerRunner second(test_options(clients, workers));
  ASSERT_NE(second.broker().instance_id(), first_id);
  worker.set_budget(-1);
  for (auto& e : collect(client, 30)) events.push_back(std::move(e));
  ASSERT_EQ(events.size(), 40u);
  std::set<std::string> ids;
  for (auto& e : events) ids.insert(e.result.task_id);
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_GE(client.status(kDeadline).completed, 30);
}

// A stand-in broker: a bare ROUTER that the test drives by hand, to see
// exactly what BrokerClient sends and to feed it duplicates.
class FakeBroker {
 public:
  FakeBroker() : socket_(ctx_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }
  void send(const std::string& peer, Command c, const std::string& body) {
    ASSERT_TRUE(send_message(socket_, &peer, c, body));
  }
  // Receives everything queued now (without waiting).
  std::vector<WireMessage> take() {
    std::vector<WireMessage> out;
    WireMessage m;
    while (receive_message(socket_, true, m)) out.push_back(m);
    return out;
  }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
};

TEST_F(BrokerTest, ClientResubmitsTaskWhoseDeadlinePassedAndDropsDuplicateResults) {
  FakeBroker fake;
  // Liveness is long so that only the deadline can cause a resubmission.
  BrokerClient client(fake.endpoint(), "client", BrokerClientOptions{kHeartbeat, 1000, 300ms});
  client.submit({envelope("t1"), envelope("t2")});
  std::map<std::string, int> submitted;
  Clock::time_point deadline = Clock::now() + kDeadline;
  while (submitted["t1"] < 2 && Clock::now() < deadline) {
    client.poll(kHeartbeat);
    for (const WireMessage& m : fake.take()) {
      ASSERT_TRUE(m.error.empty()) << m.error;
      EXPECT_EQ(m.peer, "client") << "the client keeps its routing id";
      if (m.command == Command::kHeartbeat) fake.send(m.peer, Command::kHeartbeat, schemas::encode(schemas::Heartbeat{"fake"}));
      if (m.command != Command::kSubmit) continue;
      for (const auto& t : schemas::decode_submit(m.body).tasks) ++submitted[t.task_id];
    }
  }
  EXPECT_EQ(submitted["t1"], 2) << "the task was not resubmitted after its deadline";

  const std::string result = schemas::encode(schemas::Result{"t1", "r", "", 1});
  fake.send("client", Command::kResult, result);
  fake.send("client", Command::kResult, result);
  fake.send("client", Command::kResult, schemas::encode(schemas::Result{"never-submitted", "r", "", 1}));
  fake.send("client", Command::kFailed, schemas::encode(schemas::Failed{"t2", "gone", 3, {"a", "b", "gone"}}));
  auto events = collect(client, 2);
  EXPECT_TRUE(client.poll(2 * kHeartbeat).empty()) << "a duplicate was delivered";
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, BrokerClient::Event::Kind::kResult);
  EXPECT_EQ(events[0].result.task_id, "t1");
  EXPECT_EQ(events[1].kind, BrokerClient::Event::Kind::kFailed);
  EXPECT_EQ(events[1].failed.reasons.size(), 3u);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(BrokerTest, ClientStatusTimesOutWithClearError) {
  FakeBroker silent;
  BrokerClient client(silent.endpoint(), "client", client_options());
  try {
    client.status(3 * kHeartbeat);
    FAIL() << "status should time out";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(silent.endpoint()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bigpe::broker
