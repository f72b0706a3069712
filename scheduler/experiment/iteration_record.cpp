#include "scheduler/experiment/iteration_record.h"

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"

namespace bigpe::engine {

using schemas::MapReader;
using schemas::MapWriter;

std::string encode_iteration(const IterationRecord& r) {
  return schemas::write_body(10, [&](MapWriter& w) {
    auto& pk = w.packer();
    w.field("iteration", r.iteration).field("queries", r.queries);
    w.key("arms");
    pk.pack_array(static_cast<uint32_t>(r.arms.size()));
    for (const ArmRecord& a : r.arms) {
      MapWriter aw(pk, 6);
      aw.field("id", a.id).field("text", a.text).field("prompts", a.prompts);
      aw.field("scores", a.scores).field("batch_score", a.batch_score).field("images", a.images);
    }
    w.key("professional");
    pk.pack_array(static_cast<uint32_t>(r.professional.size()));
    for (const ProfessionalRecord& p : r.professional) {
      MapWriter pw(pk, 4);
      pw.field("query", p.query).field("prompt", p.prompt).field("score", p.score).field("image", p.image);
    }
    w.field("selected", r.selected).field("i_low", r.i_low);
    w.field("pairs", static_cast<uint64_t>(r.pairs)).field("gradient_text", r.gradient_text);
    w.field("improvements", r.improvements).field("children", r.children);
  });
}

IterationRecord decode_iteration(const std::string& bytes) {
  IterationRecord r;
  schemas::read_body(bytes, "IterationRecord", [&](const MapReader& m) {
    r.iteration = m.required<int>("iteration");
    r.queries = m.required<std::vector<std::string>>("queries");
    auto arms = m.array("arms", true);
    for (std::size_t i = 0; i < arms.size(); ++i) {
      MapReader am = m.nested(*arms[i], "arms[" + std::to_string(i) + "]");
      ArmRecord a;
      a.id = am.required<std::string>("id");
      a.text = am.required<std::string>("text");
      a.prompts = am.required<std::vector<std::string>>("prompts");
      a.scores = am.required<std::vector<double>>("scores");
      a.batch_score = am.required<double>("batch_score");
      a.images = am.optional<std::vector<std::string>>("images", {});
      r.arms.push_back(std::move(a));
    }
    auto pros = m.array("professional", false);
    for (std::size_t i = 0; i < pros.size(); ++i) {
      MapReader pm = m.nested(*pros[i], "professional[" + std::to_string(i) + "]");
      r.professional.push_back({pm.required<std::string>("query"), pm.required<std::string>("prompt"),
                                pm.required<double>("score"), pm.optional<std::string>("image", "")});
    }
    r.selected = m.optional<std::vector<std::string>>("selected", {});
    r.i_low = m.optional<std::string>("i_low", "");
    r.pairs = m.optional<uint64_t>("pairs", 0);
    r.gradient_text = m.optional<std::string>("gradient_text", "");
    r.improvements = m.optional<std::vector<std::string>>("improvements", {});
    r.children = m.optional<std::vector<std::string>>("children", {});
  });
  return r;
}

}  // namespace bigpe::engine
