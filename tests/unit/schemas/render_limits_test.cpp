// Render limits: the one rule the renderer and the scheduler apply to render
// params, and their wire form in READY and STATUS.
#include <gtest/gtest.h>

#include "schemas/messages.h"
#include "schemas/render_limits.h"

namespace bigpe::schemas {
namespace {

RenderLimits turbo() {
  RenderLimits l;
  l.family = "sdxl-turbo";
  l.min_steps = 1;
  l.max_steps = 4;
  l.max_guidance = 1;
  l.size_multiple = 8;
  l.samplers = {"euler", "euler_a", "ddim"};
  return l;
}

TEST(RenderLimits, EmptyLimitsAcceptAnything) {
  RenderParams p;
  p.steps = 500;
  p.guidance = 30;
  p.width = 13;
  p.sampler = "whatever";
  EXPECT_TRUE(render_param_problems(p, RenderLimits{}).empty());
}

TEST(RenderLimits, EachParamOutsideIsNamedInFieldOrder) {
  RenderParams p;
  p.steps = 50;
  p.guidance = 5;
  p.width = 100;
  p.height = 64;
  p.sampler = "dpm";
  std::vector<RenderParamProblem> problems = render_param_problems(p, turbo());
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].field, "steps");
  EXPECT_EQ(problems[0].message, "sdxl-turbo renders in 1 to 4 steps, got 50");
  EXPECT_EQ(problems[1].field, "guidance");
  EXPECT_EQ(problems[2].field, "width");
  EXPECT_EQ(problems[2].message, "sdxl-turbo renders images whose width is a positive multiple of 8, got 100");
  EXPECT_EQ(problems[3].field, "sampler");
  EXPECT_NE(problems[3].message.find("euler, euler_a, ddim"), std::string::npos);

  p = RenderParams{};
  p.steps = 4;
  p.guidance = 0;
  p.width = p.height = 64;
  EXPECT_TRUE(render_param_problems(p, turbo()).empty());
  p.steps = 0;
  EXPECT_EQ(render_param_problems(p, turbo()).size(), 1u) << "below min_steps";
}

TEST(RenderLimits, ReadyAndStatusCarryThemAndOlderPeersSendNone) {
  Ready r;
  r.services = {"turbo"};
  r.worker_id = "w";
  r.limits = turbo();
  EXPECT_EQ(decode_ready(encode(r)).limits, turbo());
  r.limits = {};
  EXPECT_TRUE(decode_ready(encode(r)).limits.empty()) << "no limits field: nothing advertised";

  StatusReply s;
  s.services.push_back(ServiceStatus{"turbo", 0, 0, 1, 2, "id-a", turbo()});
  s.services.push_back(ServiceStatus{"sim", 0, 0, 1, 2, "id-b"});
  StatusReply back = decode_status_reply(encode(s));
  ASSERT_EQ(back.services.size(), 2u);
  EXPECT_EQ(back.services[0].limits, turbo());
  EXPECT_TRUE(back.services[1].limits.empty());
}

}  // namespace
}  // namespace bigpe::schemas
