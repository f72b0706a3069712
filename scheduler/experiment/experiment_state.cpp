#include "scheduler/experiment/experiment_state.h"

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"

namespace bigpe::engine {

using schemas::MapReader;
using schemas::MapWriter;

std::string encode_state(const ExperimentState& s) {
  return schemas::write_body(13, [&](MapWriter& w) {
    auto& pk = w.packer();
    w.field("next_iteration", s.next_iteration).field("next_instruction", s.next_instruction);
    w.field("pool", s.pool);
    w.key("instructions");
    pk.pack_array(static_cast<uint32_t>(s.instructions.size()));
    for (const auto& [id, r] : s.instructions) {
      MapWriter rw(pk, 5);
      rw.field("id", r.id).field("text", r.text).field("parent", r.parent);
      rw.field("born", r.born).field("improvement", r.improvement);
    }
    w.key("history");
    pk.pack_array(static_cast<uint32_t>(s.history.size()));
    for (const auto& [text, h] : s.history) {
      MapWriter hw(pk, 4);
      hw.field("text", text).field("scores", h.scores).field("considered", h.considered);
      hw.field("pulls", h.pulls);
    }
    w.key("summaries");
    pk.pack_array(static_cast<uint32_t>(s.summaries.size()));
    for (const IterationSummary& m : s.summaries) {
      MapWriter mw(pk, 8);
      mw.field("iteration", m.iteration).field("best", m.best).field("mean", m.mean);
      mw.field("pool", m.pool).field("best_id", m.best_id);
      mw.field("renders_done", m.renders_done).field("renders_cached", m.renders_cached);
      mw.field("renders_spent", m.renders_spent);
    }
    w.field("final_id", s.final_id).field("renders_done", s.renders_done);
    w.field("renders_cached", s.renders_cached).field("finished", s.finished);
    w.field("evaluated", s.evaluated).field("renders_spent", s.renders_spent);
    w.key("llm");
    MapWriter lw(pk, 4);
    lw.field("calls", s.llm.calls).field("retries", s.llm.retries).field("unusable", s.llm.unusable);
    lw.field("subject_dropped", s.llm.subject_dropped);
  });
}

ExperimentState decode_state(const std::string& bytes) {
  ExperimentState s;
  schemas::read_body(bytes, "ExperimentState", [&](const MapReader& r) {
    s.next_iteration = r.required<int>("next_iteration");
    s.next_instruction = r.required<int>("next_instruction");
    s.pool = r.required<std::vector<std::string>>("pool");
    auto instructions = r.array("instructions", true);
    for (std::size_t i = 0; i < instructions.size(); ++i) {
      MapReader ir = r.nested(*instructions[i], "instructions[" + std::to_string(i) + "]");
      InstructionRecord rec;
      rec.id = ir.required<std::string>("id");
      rec.text = ir.required<std::string>("text");
      rec.parent = ir.optional<std::string>("parent", "");
      rec.born = ir.optional<int>("born", 0);
      rec.improvement = ir.optional<std::string>("improvement", "");
      s.instructions[rec.id] = rec;
    }
    auto history = r.array("history", true);
    for (std::size_t i = 0; i < history.size(); ++i) {
      MapReader hr = r.nested(*history[i], "history[" + std::to_string(i) + "]");
      ArmHistory h;
      h.scores = hr.required<std::vector<double>>("scores");
      h.considered = hr.optional<long>("considered", 1);
      h.pulls = hr.optional<long>("pulls", 0);
      s.history[hr.required<std::string>("text")] = h;
    }
    auto summaries = r.array("summaries", false);
    for (std::size_t i = 0; i < summaries.size(); ++i) {
      MapReader mr = r.nested(*summaries[i], "summaries[" + std::to_string(i) + "]");
      IterationSummary m;
      m.iteration = mr.required<int>("iteration");
      m.best = mr.required<double>("best");
      m.mean = mr.required<double>("mean");
      m.pool = mr.optional<int>("pool", 0);
      m.best_id = mr.optional<std::string>("best_id", "");
      m.renders_done = mr.optional<long>("renders_done", 0);
      m.renders_cached = mr.optional<long>("renders_cached", 0);
      // States written before it was recorded: what the iteration rendered or
      // took from the cache, the nearest count there is.
      m.renders_spent = mr.optional<long>("renders_spent", m.renders_done + m.renders_cached);
      s.summaries.push_back(m);
    }
    s.final_id = r.optional<std::string>("final_id", "");
    s.renders_done = r.optional<long>("renders_done", 0);
    s.renders_cached = r.optional<long>("renders_cached", 0);
    s.finished = r.optional<bool>("finished", false);
    s.evaluated = r.optional<bool>("evaluated", false);
    s.renders_spent = r.optional<long>("renders_spent", 0);
    if (const msgpack::object* llm = r.find("llm")) {  // states written before it was counted have none
      MapReader lr = r.nested(*llm, "llm");
      s.llm.calls = lr.optional<long>("calls", 0);
      s.llm.retries = lr.optional<long>("retries", 0);
      s.llm.unusable = lr.optional<long>("unusable", 0);
      s.llm.subject_dropped = lr.optional<long>("subject_dropped", 0);
    }
    for (const std::string& id : s.pool)
      if (!s.instructions.count(id))
        throw schemas::DecodeError("ExperimentState", "pool", "unknown instruction id '" + id + "'");
  });
  return s;
}

}  // namespace bigpe::engine
