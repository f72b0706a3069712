// `bigpe serve` through a real HTTP client (httplib's) against real runs:
// a finished tiny run (curve, lineage, images that are PNGs, 404 naming an
// unknown experiment, hostile targets refused with 400 and the server still
// answering), a running run (progress that moves, the live broker's
// workers), Redis down (503 naming Redis), the token (Bearer header or
// login cookie, never a URL parameter) and a missing run folder.
#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <set>

#include "common/child_process.h"
#include "common/free_port.h"
#include "scheduler/serve/web_server.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/csv_reader.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using nlohmann::json;

std::vector<std::string> tiny_run(const std::string& out, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"run", std::string(BIGPE_SOURCE_DIR) + "/experiments/quickstart.yaml",
                                   "iterations=2", "sim.cost_ms=0", "eval.seeds=1", "queries.heldout=2",
                                   "out=" + out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct Served {
  explicit Served(serve::ServeOptions o) : server((o.listen = "127.0.0.1:0", o)) {
    const std::string url = server.url();  // http://127.0.0.1:PORT/
    port = std::stoi(url.substr(url.rfind(':') + 1));
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }
  serve::WebServer server;
  int port = 0;
};

json get_json(const httplib::Client& c, const std::string& path, int expected_status) {
  httplib::Client& client = const_cast<httplib::Client&>(c);
  httplib::Result r = client.Get(path);
  if (!r) ADD_FAILURE() << path << ": no answer";
  if (!r) return json();
  EXPECT_EQ(r->status, expected_status) << path << ": " << r->body;
  return json::parse(r->body);
}

TEST(Serve, AFinishedRunsEndpointsPagesAndImages) {
  testing::TempDir dir("bigpe-serve");
  testing::Invocation r = testing::run_bigpe(tiny_run(dir.file("runs/r1"), {}), dir.file("run.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  serve::ServeOptions o;
  o.runs_dir = dir.file("runs");
  Served s(o);
  httplib::Client c = s.client();

  json list = get_json(c, "/api/experiments", 200);
  ASSERT_EQ(list["experiments"].size(), 1u) << list.dump();
  const json& e = list["experiments"][0];
  EXPECT_EQ(e["status"], "finished");
  EXPECT_EQ(e["iterations_done"], 2);
  EXPECT_EQ(e["progress"], 1.0);
  const std::string id = e["id"];

  json d = get_json(c, "/api/experiments/" + id, 200);
  ASSERT_EQ(d["curve"].size(), 2u);
  EXPECT_EQ(d["curve"][1]["iteration"], 2);
  EXPECT_TRUE(d["curve"][0]["best_interval"].contains("low"));
  std::set<std::string> ids;
  for (const json& n : d["lineage"]) ids.insert(n["id"].get<std::string>());
  EXPECT_TRUE(ids.count("i0"));
  EXPECT_EQ(ids.size(), d["lineage"].size());
  EXPECT_FALSE(d["latest"]["gradient_text"].get<std::string>().empty());
  EXPECT_EQ(d["images"]["source"], "held-out evaluation");
  ASSERT_EQ(d["images"]["rows"].size(), 4u);  // plain, I0, professional, final
  int images = 0;
  for (const json& row : d["images"]["rows"])
    for (const json& cell : row["cells"]) {
      const std::string url = cell["image"];
      ASSERT_FALSE(url.empty()) << row.dump();
      httplib::Result img = c.Get(url);
      ASSERT_TRUE(img) << url;
      EXPECT_EQ(img->status, 200) << url;
      EXPECT_EQ(img->get_header_value("Content-Type"), "image/png");
      EXPECT_EQ(img->body.substr(1, 3), "PNG") << url;
      ++images;
    }
  // Every method shows the first seed of every held-out query.
  EXPECT_EQ(images, 4 * static_cast<int>(d["images"]["rows"][0]["cells"].size()));
  EXPECT_GT(images, 0);

  // Pages and chart.js are served locally.
  httplib::Result page = c.Get("/experiments/" + id);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/static/chart.js"), std::string::npos);
  httplib::Result chart = c.Get("/static/chart.js");
  ASSERT_TRUE(chart);
  EXPECT_EQ(chart->status, 200);
  EXPECT_NE(chart->body.find("Chart.js"), std::string::npos);

  // Unknown names: 404 naming them, as JSON under /api and as a page elsewhere.
  json missing = get_json(c, "/api/experiments/no-such-run", 404);
  EXPECT_EQ(missing["error"], "no experiment no-such-run");
  get_json(c, "/api/campaigns/no-such-campaign", 404);
  httplib::Result no_img = c.Get("/images/" + id + "/nothing.png");
  ASSERT_TRUE(no_img);
  EXPECT_EQ(no_img->status, 404);

  // Hostile targets: 400 naming what was wrong; the server keeps serving.
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"/images/%2e%2e/run.json", "is refused"},
      {"/images/" + id + "/..%2f..%2frun.json", "encoded /"},
      {"/api/experiments/a%00b", "control byte"},
      {"/api/experiments/%zz", "bad percent escape"},
      {"/api/experiments?x=1&x=2", "given twice"},
      {"/" + std::string(3000, 'a'), "at most 2048"},
  };
  for (const auto& [target, why] : hostile) {
    httplib::Result h = c.Get(target);
    ASSERT_TRUE(h) << target;
    EXPECT_EQ(h->status, 400) << target;
    EXPECT_NE(h->body.find(why), std::string::npos) << target << ": " << h->body;
  }
  httplib::Result post = c.Post("/api/experiments", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  get_json(c, "/api/experiments", 200);
}

// A campaign with a held-out judge: its page's JSON has the judge table,
// the same numbers as the campaign's judges.csv.
TEST(Serve, ACampaignsJudgeTableIsTheOneItsJudgesCsvHolds) {
  testing::TempDir dir("bigpe-serve-judges");
  const std::string campaign = testing::write_small_campaign(
      dir.path(), "repeats: 3\nseed_base: 3\ntaste_from_repeat: true\n",
      "  score.scorers: sim,sim-judge\n  score.judges: sim-judge\n");
  testing::Invocation r =
      testing::run_bigpe({"campaign", campaign, "--out", dir.file("runs/c1")}, dir.file("campaign.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::map<std::string, std::string>> csv = testing::read_csv_rows(dir.file("runs/c1/judges.csv"));
  ASSERT_EQ(csv.size(), 2u);  // ucb and greedy
  serve::ServeOptions o;
  o.runs_dir = dir.file("runs");
  Served s(o);
  httplib::Client c = s.client();
  json list = get_json(c, "/api/campaigns", 200);
  ASSERT_EQ(list["campaigns"].size(), 1u) << list.dump();
  json d = get_json(c, "/api/campaigns/" + list["campaigns"][0]["id"].get<std::string>(), 200);
  ASSERT_EQ(d["judges"].size(), csv.size()) << d.dump();
  for (std::size_t i = 0; i < csv.size(); ++i) {
    const json& j = d["judges"][i];
    EXPECT_EQ(j["variant"], csv[i].at("variant"));
    EXPECT_EQ(j["judge"], "sim-judge");
    EXPECT_EQ(j["optimized_scorer"], "sim");
    EXPECT_EQ(j["judge_gain"]["n"], 3);
    EXPECT_TRUE(j["judge_gain"]["few"].get<bool>());
    EXPECT_DOUBLE_EQ(j["optimized_gain"]["mean"].get<double>(), std::stod(csv[i].at("optimized_gain_mean")));
    EXPECT_DOUBLE_EQ(j["judge_gain"]["low"].get<double>(), std::stod(csv[i].at("judge_gain_ci_low")));
    EXPECT_DOUBLE_EQ(j["judge_minus_optimized"]["high"].get<double>(),
                     std::stod(csv[i].at("judge_minus_optimized_ci_high")));
    EXPECT_EQ(j["share"].is_null(), csv[i].at("share").empty());
  }
  httplib::Result page = c.Get("/campaigns/" + list["campaigns"][0]["id"].get<std::string>());
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("id=\"judges\""), std::string::npos);
}

TEST(Serve, ARunningRunsProgressMovesAndItsWorkersShow) {
  testing::TempDir dir("bigpe-serve-live");
  std::filesystem::create_directories(dir.file("runs"));
  ChildProcess run(testing::bigpe_options(
      tiny_run(dir.file("runs/live"), {"iterations=100000", "batch_size=1", "sim.cost_ms=2", "write_images=false"}),
      dir.file("run.log")));
  serve::ServeOptions o;
  o.runs_dir = dir.file("runs");
  Served s(o);
  httplib::Client c = s.client();
  // Bounded polling on the data itself: until one iteration is done, then
  // until another one is.
  auto iterations = [&]() -> int {
    httplib::Result r = c.Get("/api/experiments");
    if (!r || r->status != 200) return -1;
    json j = json::parse(r->body);
    if (j["experiments"].empty() || j["experiments"][0]["status"] != "running") return -1;
    return j["experiments"][0]["iterations_done"];
  };
  // Bounded in time, not in polls: before the run has a folder a poll
  // answers in microseconds, so a count ran out on a loaded machine while
  // the run was still starting.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  auto in_time = [&] { return std::chrono::steady_clock::now() < deadline && run.running(); };
  int first = -1;
  while (first < 1 && in_time()) first = iterations();
  ASSERT_GE(first, 1) << testing::read_text_file(dir.file("run.log"));
  int later = first;
  while (later == first && in_time()) later = std::max(later, iterations());
  EXPECT_GT(later, first);

  json w = get_json(c, "/api/workers", 200);
  ASSERT_EQ(w["brokers"].size(), 1u) << w.dump();
  EXPECT_EQ(w["brokers"][0]["workers"], 2);
  EXPECT_EQ(w["brokers"][0]["worker_list"].size(), 2u);
  EXPECT_EQ(w["brokers"][0]["services"][0]["name"], "sim");

  run.send_signal(SIGTERM);
  ASSERT_TRUE(run.wait(std::chrono::seconds(120)).has_value());
}

TEST(Serve, RedisDownIsA503AndTheServerKeepsAnswering) {
  serve::ServeOptions o;
  o.redis_url = "redis://127.0.0.1:" + std::to_string(free_loopback_port());  // nothing listens
  Served s(o);
  httplib::Client c = s.client();
  json e = get_json(c, "/api/experiments", 503);
  EXPECT_NE(e["error"].get<std::string>().find("Redis"), std::string::npos) << e.dump();
  get_json(c, "/api/campaigns", 503);
  get_json(c, "/api/experiments/x", 503);
  httplib::Result index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
}

TEST(Serve, TheTokenIsABearerHeaderOrTheLoginCookieNeverAUrl) {
  testing::TempDir dir("bigpe-serve-token");
  std::ofstream(dir.file("token")) << "0123456789abcdef0123\n";
  std::filesystem::create_directories(dir.file("runs"));
  serve::ServeOptions o;
  o.runs_dir = dir.file("runs");
  o.token_file = dir.file("token");
  Served s(o);
  httplib::Client c = s.client();
  get_json(c, "/api/experiments", 401);
  get_json(c, "/api/experiments?token=0123456789abcdef0123", 401);
  httplib::Result login_page = c.Get("/login");
  ASSERT_TRUE(login_page);
  EXPECT_EQ(login_page->status, 200);
  c.set_bearer_token_auth("0123456789abcdef0123");
  get_json(c, "/api/experiments", 200);
  c.set_bearer_token_auth("wrong-token-wrong-token");
  get_json(c, "/api/experiments", 401);

  httplib::Client form = s.client();
  httplib::Result bad = form.Post("/login", "token=nope", "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  httplib::Result good = form.Post("/login", "token=0123456789abcdef0123", "application/x-www-form-urlencoded");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 303);
  const std::string cookie = good->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  httplib::Result with_cookie = form.Get("/api/experiments", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  ASSERT_TRUE(with_cookie);
  EXPECT_EQ(with_cookie->status, 200) << with_cookie->body;
}

TEST(Serve, BadOptionsAreRefusedNamingThem) {
  serve::ServeOptions o;
  o.runs_dir = "/nonexistent/bigpe-runs";
  o.listen = "127.0.0.1:0";
  try {
    serve::WebServer w(o);
    FAIL() << "a missing --runs folder was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/bigpe-runs"), std::string::npos) << e.what();
  }
  o.runs_dir = "/tmp";
  o.listen = "127.0.0.1:99999";
  EXPECT_THROW(serve::WebServer w(o), std::runtime_error);
  o.listen = "127.0.0.1:0";
  o.token_file = "/nonexistent/token";
  EXPECT_THROW(serve::WebServer w(o), std::runtime_error);
}

}  // namespace
}  // namespace bigpe
