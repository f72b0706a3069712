// A render.service that no worker serves used to wait without a word. The
// dispatcher, hearing nothing for its warning interval (short here), asks
// the broker who serves the service and logs it, naming the service and
// the workers there are with their services; once a worker for it comes,
// the wait ends as usual.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "scheduler/render/render_dispatcher.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"
#include "worker/local_worker_pool.h"

namespace bigpe::testing {
namespace {

class DispatcherQuietWarningTest : public RedisFixture {};

TEST_F(DispatcherQuietWarningTest, ServiceThatNoWorkerServesIsNamedWithTheWorkersThereAre) {
  // The ring buffer's reader takes the sink's lock: safe beside the writers.
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
  spdlog::default_logger()->sinks().push_back(sink);
  struct Unhook {
    std::shared_ptr<spdlog::sinks::sink> s;
    ~Unhook() {
      auto& sinks = spdlog::default_logger()->sinks();
      sinks.erase(std::remove(sinks.begin(), sinks.end(), s), sinks.end());
    }
  } unhook{sink};

  InProcessBroker broker(broker_options());
  WorkerOptions wo = sim_worker_options(broker.worker_endpoint(), server().options());
  LocalWorkerPool sims(2, wo, BackendSettings{});
  sims.start();

  std::atomic<bool> done{false};
  std::string error;
  std::thread scheduler([&] {
    try {
      broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
      auto redis = client_ptr();
      engine::DispatchSettings ds;
      ds.experiment_id = "exp";
      ds.service = "nosuch";
      ds.identity = sim_worker_identity();
      ds.quiet_warning_after = 100ms;
      ds.quiet_warning_repeat = 100ms;
      engine::RenderDispatcher dispatcher(client, *redis, ds);
      if (dispatcher.run({{"a cactus", "a cactus", 1}}).size() != 1) error = "no outcome";
    } catch (const std::exception& e) {
      error = e.what();
    }
    done = true;
  });
  const std::string expected = "render.service 'nosuch': ";
  auto warned = [&] {
    for (const std::string& l : sink->last_formatted())
      if (l.find(expected) != std::string::npos) return l;
    return std::string();
  };
  std::string line;
  for (const auto deadline = Clock::now() + kDeadline; line.empty() && Clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);  // polling the log, not synchronising
    line = warned();
  }
  ASSERT_FALSE(line.empty()) << "no warning about the unserved service";
  EXPECT_NE(line.find("no worker serves it; 2 workers connected: "), std::string::npos) << line;
  EXPECT_NE(line.find(std::string("(") + kService + ")"), std::string::npos) << "the workers' services: " << line;

  // A worker for it arrives: the wait ends with the render.
  wo.services = {"nosuch"};
  wo.worker_id = "rescuer";
  LocalWorkerPool rescuer(1, wo, BackendSettings{});
  rescuer.start();
  scheduler.join();
  EXPECT_TRUE(error.empty()) << error;
}

}  // namespace
}  // namespace bigpe::testing
