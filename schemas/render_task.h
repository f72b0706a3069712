#pragma once
// What a worker renders and scores, what it returns, and what it stores in
// Redis (docs/design.md sections 3 and 4).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bigpe::schemas {

struct RenderItem {
  std::string prompt;      // text rendered
  std::string score_text;  // text scored against (the plain query)
  int64_t seed = 0;
  std::string key;         // result cache key (common/content_hash.h)
};

struct RenderParams {
  int steps = 1;
  double guidance = 0.0;
  int width = 512;
  int height = 512;
  std::string sampler = "euler";
  std::string negative;
  // Backend options that change the result, e.g. "sim.taste_seed". Part of
  // the cache key, so sorted by name.
  std::map<std::string, std::string> options;
};

struct RenderTask {
  std::string experiment_id;
  std::string service;
  std::vector<RenderItem> items;
  RenderParams params;
  // The backend identity that must render it (backends/backend_identity.h);
  // part of every item's key. A worker refuses a task naming another.
  std::string identity;
};

struct ItemResult {
  std::string key;
  double score = 0.0;
  std::string image_uri;
  double render_ms = 0.0;
  double score_ms = 0.0;
  bool cached = false;  // true when the worker found it in Redis
};

struct RenderResult {
  std::string task_id;
  std::vector<ItemResult> items;
  std::string worker_id;
};

// bigpe:result:<key>
struct ResultRecord {
  std::string key;
  double score = 0.0;
  std::string image_uri;
  double render_ms = 0.0;
  double score_ms = 0.0;
  std::string worker_id;
  std::string task_id;
  std::string service;
  std::string prompt;
  std::string score_text;
  int64_t seed = 0;
  double created_at = 0.0;  // unix seconds
  std::string identity;     // the backend identity that made it
};

std::string encode(const RenderTask& m);
std::string encode(const RenderResult& m);
std::string encode(const ResultRecord& m);
RenderTask decode_render_task(const std::string& bytes);
RenderResult decode_render_result(const std::string& bytes);
ResultRecord decode_result_record(const std::string& bytes);

}  // namespace bigpe::schemas
