#include "schemas/render_task.h"

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"

namespace bigpe::schemas {
namespace {

void write_params(msgpack::packer<msgpack::sbuffer>& pk, const RenderParams& p) {
  MapWriter w(pk, 7);
  w.field("steps", p.steps).field("guidance", p.guidance).field("width", p.width);
  w.field("height", p.height).field("sampler", p.sampler).field("negative", p.negative);
  w.field("options", p.options);
}

RenderParams read_params(const MapReader& r) {
  RenderParams p;
  p.steps = r.optional<int>("steps", p.steps);
  p.guidance = r.optional<double>("guidance", p.guidance);
  p.width = r.optional<int>("width", p.width);
  p.height = r.optional<int>("height", p.height);
  p.sampler = r.optional<std::string>("sampler", p.sampler);
  p.negative = r.optional<std::string>("negative", p.negative);
  p.options = r.optional<std::map<std::string, std::string>>("options", {});
  if (p.steps < 0) throw DecodeError(r.message_name(), "steps", "must not be negative");
  if (p.width <= 0 || p.height <= 0)
    throw DecodeError(r.message_name(), "width", "width and height must be positive");
  return p;
}

}  // namespace

std::string encode(const RenderTask& m) {
  return write_body(5, [&](MapWriter& w) {
    w.field("experiment_id", m.experiment_id).field("service", m.service);
    w.field("identity", m.identity);
    auto& pk = w.packer();
    w.key("items");
    pk.pack_array(static_cast<uint32_t>(m.items.size()));
    for (const RenderItem& it : m.items) {
      MapWriter iw(pk, 4);
      iw.field("prompt", it.prompt).field("score_text", it.score_text);
      iw.field("seed", it.seed).field("key", it.key);
    }
    w.key("params");
    write_params(pk, m.params);
  });
}

RenderTask decode_render_task(const std::string& bytes) {
  RenderTask m;
  read_body(bytes, "RenderTask", [&](const MapReader& r) {
    m.experiment_id = r.optional<std::string>("experiment_id", "");
    m.service = r.required<std::string>("service");
    m.identity = r.optional<std::string>("identity", "");
    auto items = r.array("items", true);
    for (std::size_t i = 0; i < items.size(); ++i) {
      MapReader ir = r.nested(*items[i], "items[" + std::to_string(i) + "]");
      RenderItem it;
      it.prompt = ir.required<std::string>("prompt");
      it.score_text = ir.required<std::string>("score_text");
      it.seed = ir.required<int64_t>("seed");
      it.key = ir.required<std::string>("key");
      if (it.key.empty()) throw DecodeError(ir.message_name(), "key", "must not be empty");
      m.items.push_back(std::move(it));
    }
    if (const msgpack::object* p = r.find("params")) m.params = read_params(r.nested(*p, "params"));
  });
  return m;
}

std::string encode(const RenderResult& m) {
  return write_body(3, [&](MapWriter& w) {
    w.field("task_id", m.task_id).field("worker_id", m.worker_id);
    auto& pk = w.packer();
    w.key("items");
    pk.pack_array(static_cast<uint32_t>(m.items.size()));
    for (const ItemResult& it : m.items) {
      // `scores` only from a worker with several scorers, `rendered` only
      // where it says what `cached` does not (an item only scored): a
      // one-scorer RESULT stays byte for byte what it was.
      const bool says_rendered = it.rendered && *it.rendered == it.cached;
      MapWriter iw(pk, 6 + (it.scores.empty() ? 0 : 1) + (says_rendered ? 1 : 0));
      iw.field("key", it.key).field("score", it.score).field("image_uri", it.image_uri);
      iw.field("render_ms", it.render_ms).field("score_ms", it.score_ms).field("cached", it.cached);
      if (!it.scores.empty()) iw.field("scores", it.scores);
      if (says_rendered) iw.field("rendered", *it.rendered);
    }
  });
}

RenderResult decode_render_result(const std::string& bytes) {
  RenderResult m;
  read_body(bytes, "RenderResult", [&](const MapReader& r) {
    m.task_id = r.required<std::string>("task_id");
    m.worker_id = r.optional<std::string>("worker_id", "");
    auto items = r.array("items", true);
    for (std::size_t i = 0; i < items.size(); ++i) {
      MapReader ir = r.nested(*items[i], "items[" + std::to_string(i) + "]");
      ItemResult it;
      it.key = ir.required<std::string>("key");
      it.score = ir.required<double>("score");
      it.image_uri = ir.optional<std::string>("image_uri", "");
      it.render_ms = ir.optional<double>("render_ms", 0.0);
      it.score_ms = ir.optional<double>("score_ms", 0.0);
      it.cached = ir.optional<bool>("cached", false);
      it.scores = ir.optional<ScoreMap>("scores", {});
      if (ir.has("rendered")) {
        it.rendered = ir.required<bool>("rendered");
        if (*it.rendered && it.cached) throw DecodeError(ir.message_name(), "rendered", "must be false when cached");
      }
      m.items.push_back(std::move(it));
    }
  });
  return m;
}

std::string encode(const ResultRecord& m) {
  const bool v2 = !m.scores.empty();
  return write_body(v2 ? 2 : 1, v2 ? 15 : 13, [&](MapWriter& w) {
    w.field("key", m.key).field("score", m.score).field("image_uri", m.image_uri);
    w.field("render_ms", m.render_ms).field("score_ms", m.score_ms);
    w.field("worker_id", m.worker_id).field("task_id", m.task_id).field("service", m.service);
    w.field("identity", m.identity);
    w.field("prompt", m.prompt).field("score_text", m.score_text).field("seed", m.seed);
    w.field("created_at", m.created_at);
    if (v2) w.field("scores", m.scores).field("image_key", m.image_key);
  });
}

ResultRecord decode_result_record(const std::string& bytes) {
  ResultRecord m;
  read_body(bytes, "ResultRecord", kResultRecordVersion, [&](const MapReader& r, int v) {
    if (v >= 2) {
      m.scores = r.required<ScoreMap>("scores");
      if (m.scores.empty()) throw DecodeError(r.message_name(), "scores", "must not be empty in v2");
      m.image_key = r.optional<std::string>("image_key", "");
    }
    m.key = r.required<std::string>("key");
    m.score = r.required<double>("score");
    m.image_uri = r.optional<std::string>("image_uri", "");
    m.render_ms = r.optional<double>("render_ms", 0.0);
    m.score_ms = r.optional<double>("score_ms", 0.0);
    m.worker_id = r.optional<std::string>("worker_id", "");
    m.task_id = r.optional<std::string>("task_id", "");
    m.service = r.optional<std::string>("service", "");
    m.identity = r.optional<std::string>("identity", "");
    m.prompt = r.optional<std::string>("prompt", "");
    m.score_text = r.optional<std::string>("score_text", "");
    m.seed = r.optional<int64_t>("seed", 0);
    m.created_at = r.optional<double>("created_at", 0.0);
  });
  return m;
}

std::string encode(const ImageRecord& m) {
  return write_body(10, [&](MapWriter& w) {
    w.field("key", m.key).field("image_uri", m.image_uri).field("render_ms", m.render_ms);
    w.field("worker_id", m.worker_id).field("task_id", m.task_id).field("service", m.service);
    w.field("identity", m.identity).field("prompt", m.prompt).field("seed", m.seed);
    w.field("created_at", m.created_at);
  });
}

ImageRecord decode_image_record(const std::string& bytes) {
  ImageRecord m;
  read_body(bytes, "ImageRecord", [&](const MapReader& r) {
    m.key = r.required<std::string>("key");
    m.image_uri = r.optional<std::string>("image_uri", "");
    m.render_ms = r.optional<double>("render_ms", 0.0);
    m.worker_id = r.optional<std::string>("worker_id", "");
    m.task_id = r.optional<std::string>("task_id", "");
    m.service = r.optional<std::string>("service", "");
    m.identity = r.optional<std::string>("identity", "");
    m.prompt = r.required<std::string>("prompt");
    m.seed = r.required<int64_t>("seed");
    m.created_at = r.optional<double>("created_at", 0.0);
  });
  return m;
}

}  // namespace bigpe::schemas
