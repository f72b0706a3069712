#pragma once
// What a worker renders and scores, what it returns, and what it stores in
// Redis (docs/design.md sections 3 and 4).
#include <cstdint>
#include <map>
#include <optional>
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

// Scores by scorer name (the worker's scorer list, backends/scorer.h name()).
using ScoreMap = std::map<std::string, double>;

struct ItemResult {
  std::string key;
  double score = 0.0;  // the first scorer's: what a one-scorer reader takes
  std::string image_uri;
  double render_ms = 0.0;
  double score_ms = 0.0;
  bool cached = false;  // true when the worker found every score in Redis
  // Every scorer's score, sent by a worker with several scorers; empty from
  // a worker with one (its `score` is then the only one). Last, so that
  // aggregate initializers written before it still mean what they did.
  ScoreMap scores;
  // Whether this worker rendered the item's image. False with `cached`
  // false: an item only scored, its image found stored (a worker with
  // several scorers given a new one, section 7.3). Unset, as from a peer
  // older than the field: what it meant then, rendered unless cached.
  std::optional<bool> rendered;
  bool scored_only() const { return !cached && !rendered.value_or(true); }
};

struct RenderResult {
  std::string task_id;
  std::vector<ItemResult> items;
  std::string worker_id;
};

// bigpe:result:<key>. Written as v1 (no `scores`) by a worker with one
// scorer, exactly as before there were several; as v2, with `scores` and
// `image_key`, by one with several (schemas/README.md section 7).
inline constexpr int kResultRecordVersion = 2;

struct ResultRecord {
  std::string key;
  double score = 0.0;  // the first scorer's
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
  ScoreMap scores;          // v2: every scorer's, by name; empty in v1
  std::string image_key;    // v2: the image record it was scored from (7.3)
};

// bigpe:image:<image key> (schemas/README.md section 7.3): one rendered
// image apart from its scores, so a worker with another scorer list can
// score it without rendering it again.
struct ImageRecord {
  std::string key;  // the image key
  std::string image_uri;
  double render_ms = 0.0;
  std::string worker_id;
  std::string task_id;
  std::string service;
  std::string identity;  // the renderer's identity alone
  std::string prompt;
  int64_t seed = 0;
  double created_at = 0.0;
};

std::string encode(const RenderTask& m);
std::string encode(const RenderResult& m);
std::string encode(const ResultRecord& m);
RenderTask decode_render_task(const std::string& bytes);
RenderResult decode_render_result(const std::string& bytes);
ResultRecord decode_result_record(const std::string& bytes);
std::string encode(const ImageRecord& m);
ImageRecord decode_image_record(const std::string& bytes);

}  // namespace bigpe::schemas
