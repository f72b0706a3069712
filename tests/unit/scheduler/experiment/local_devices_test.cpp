// render.devices: one local torchscript-sd worker per device.
#include <gtest/gtest.h>

#include "scheduler/experiment/local_devices.h"

namespace bigpe::engine {
namespace {

TEST(LocalDevices, AutoIsOnePerVisibleGpuElseTheCpu) {
  EXPECT_EQ(local_devices("auto", 0), std::vector<std::string>{"cpu"});
  EXPECT_EQ(local_devices("auto", 3), (std::vector<std::string>{"cuda:0", "cuda:1", "cuda:2"}));
}

TEST(LocalDevices, AListIsTakenAsWritten) {
  EXPECT_EQ(local_devices("cuda:1, cuda:1,cpu", 8), (std::vector<std::string>{"cuda:1", "cuda:1", "cpu"}));
  EXPECT_EQ(local_devices_problem("cuda:1, cuda:1,cpu"), "");
}

TEST(LocalDevices, AnythingElseIsRefusedNamingTheEntry) {
  EXPECT_NE(local_devices_problem("gpu0").find("'gpu0' is none of them"), std::string::npos);
  EXPECT_NE(local_devices_problem("cuda:"), "");
  EXPECT_NE(local_devices_problem("cuda:0,,cpu"), "") << "an empty entry";
}

}  // namespace
}  // namespace bigpe::engine
