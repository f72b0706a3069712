// A full artifact folder: a `bigpe worker` writing its images to a tiny
// tmpfs fills it. Every task whose image cannot be written fails with the
// disk's own reason (ENOSPC) and the path, stores nothing, leaves no
// temporary file behind, and the worker lives on: once space is freed it
// serves the next task. (The unwritable-folder case is in worker_test.)
//
// Mounting a tmpfs needs CAP_SYS_ADMIN; without it the test is skipped.
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"

namespace bigpe::testing {
namespace {

namespace fs = std::filesystem;

// A tmpfs of `bytes` at `dir`, unmounted on destruction.
class TinyTmpfs {
 public:
  TinyTmpfs(const std::string& dir, std::size_t bytes) : dir_(dir) {
    fs::create_directories(dir);
    const std::string opts = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~TinyTmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

class ArtifactDiskTest : public RedisFixture {};

TEST_F(ArtifactDiskTest, FullArtifactFolderFailsTasksWithTheReasonAndTheWorkerRecovers) {
  const std::string artifacts = temp_dir().file("artifacts");
  // Eight pages: room for a few 64x64 images, not for twenty.
  TinyTmpfs disk(artifacts, 8 * 4096);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();

  InProcessBroker broker(broker_options(2));
  WorkerProcess worker(temp_dir().path(), "w0", broker.worker_endpoint(), server().url(),
                       {"--artifacts", artifacts, "--slots", "1"});
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << worker.log();
  auto redis = client_ptr();

  const int kTasks = 20;
  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < kTasks; ++t)
    tasks.push_back(make_task("t" + std::to_string(t), "a crowded shelf " + std::to_string(t), 1));
  client.submit(tasks);
  Outcomes out = collect(client, tasks.size());
  ASSERT_EQ(out.size(), tasks.size()) << worker.log();
  ASSERT_FALSE(out.failed.empty()) << "the disk never filled up";
  ASSERT_FALSE(out.results.empty()) << "no image fitted at all";
  for (const auto& [id, f] : out.failed) {
    EXPECT_EQ(f.attempts, 2) << id;
    ASSERT_EQ(f.reasons.size(), 2u) << id;
    for (const std::string& r : f.reasons) {
      EXPECT_NE(r.find("No space left on device"), std::string::npos) << r;
      EXPECT_NE(r.find(artifacts), std::string::npos) << r;
    }
  }
  // Only the tasks that succeeded stored a result; nothing half-written.
  EXPECT_EQ(count_keys(*redis, "bigpe:result:*"), static_cast<long long>(out.results.size()));
  for (const auto& entry : fs::recursive_directory_iterator(artifacts))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  ASSERT_TRUE(worker.child().running()) << worker.log();

  // Free the space: the same worker serves the next task.
  for (const auto& entry : fs::directory_iterator(artifacts)) fs::remove_all(entry.path());
  client.submit({make_task("after", "an empty shelf", 1)});
  Outcomes after = collect(client, 1);
  EXPECT_EQ(after.results.count("after"), 1u) << worker.log();
  EXPECT_EQ(worker.child().terminate(5000ms), 0) << worker.log();
}

}  // namespace
}  // namespace bigpe::testing
