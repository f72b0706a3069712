#include "scheduler/experiment/experiment_state.h"

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"

namespace bigpe::engine {

using schemas::MapReader;
using schemas::MapWriter;

namespace {

void write_tally(MapWriter& w, const AgentTally& t) {
  w.field("calls", t.calls).field("retries", t.retries).field("unusable", t.unusable);
  w.field("subject_dropped", t.subject_dropped).field("cached", t.cached);
  w.field("prompt_tokens", t.prompt_tokens).field("completion_tokens", t.completion_tokens);
}
constexpr uint32_t kTallyFields = 7;

// States written before a counter existed have none: 0.
AgentTally read_tally(const MapReader& r) {
  AgentTally t;
  t.calls = r.optional<long>("calls", 0);
  t.retries = r.optional<long>("retries", 0);
  t.unusable = r.optional<long>("unusable", 0);
  t.subject_dropped = r.optional<long>("subject_dropped", 0);
  t.cached = r.optional<long>("cached", 0);
  t.prompt_tokens = r.optional<long>("prompt_tokens", 0);
  t.completion_tokens = r.optional<long>("completion_tokens", 0);
  return t;
}

}  // namespace

AgentTally add_llm(ExperimentState& state, const std::map<std::string, AgentTally>& by_agent) {
  AgentTally sum;
  for (const auto& [agent, t] : by_agent) {
    state.llm_agents[agent] += t;
    sum += t;
  }
  state.llm += sum;
  return sum;
}

std::string encode_state(const ExperimentState& s) {
  return schemas::write_body(s.renders_scored != 0 ? 15 : 14, [&](MapWriter& w) {
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
      MapWriter mw(pk, m.renders_scored != 0 ? 9 : 8);
      mw.field("iteration", m.iteration).field("best", m.best).field("mean", m.mean);
      mw.field("pool", m.pool).field("best_id", m.best_id);
      mw.field("renders_done", m.renders_done).field("renders_cached", m.renders_cached);
      mw.field("renders_spent", m.renders_spent);
      if (m.renders_scored != 0) mw.field("renders_scored", m.renders_scored);
    }
    w.field("final_id", s.final_id).field("renders_done", s.renders_done);
    w.field("renders_cached", s.renders_cached).field("finished", s.finished);
    w.field("evaluated", s.evaluated).field("renders_spent", s.renders_spent);
    if (s.renders_scored != 0) w.field("renders_scored", s.renders_scored);
    w.key("llm");
    MapWriter lw(pk, kTallyFields);
    write_tally(lw, s.llm);
    w.key("llm_agents");
    pk.pack_map(static_cast<uint32_t>(s.llm_agents.size()));
    for (const auto& [agent, t] : s.llm_agents) {
      pk.pack(agent);
      MapWriter aw(pk, kTallyFields);
      write_tally(aw, t);
    }
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
      m.renders_scored = mr.optional<long>("renders_scored", 0);  // absent: 0 (stored only when not 0)
      // States written before it was recorded: what the iteration rendered or
      // took from the cache, the nearest count there is.
      m.renders_spent = mr.optional<long>("renders_spent", m.renders_done + m.renders_cached);
      s.summaries.push_back(m);
    }
    s.final_id = r.optional<std::string>("final_id", "");
    s.renders_done = r.optional<long>("renders_done", 0);
    s.renders_cached = r.optional<long>("renders_cached", 0);
    s.renders_scored = r.optional<long>("renders_scored", 0);
    s.finished = r.optional<bool>("finished", false);
    s.evaluated = r.optional<bool>("evaluated", false);
    s.renders_spent = r.optional<long>("renders_spent", 0);
    if (const msgpack::object* llm = r.find("llm"))  // states written before it was counted have none
      s.llm = read_tally(r.nested(*llm, "llm"));
    if (const msgpack::object* agents = r.find("llm_agents")) {
      if (agents->type != msgpack::type::MAP)
        throw schemas::DecodeError("ExperimentState", "llm_agents", "expected a map");
      for (uint32_t i = 0; i < agents->via.map.size; ++i) {
        const msgpack::object_kv& kv = agents->via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          throw schemas::DecodeError("ExperimentState", "llm_agents", "expected agent names as keys");
        const std::string agent = kv.key.as<std::string>();
        s.llm_agents[agent] = read_tally(r.nested(kv.val, "llm_agents." + agent));
      }
    }
    for (const std::string& id : s.pool)
      if (!s.instructions.count(id))
        throw schemas::DecodeError("ExperimentState", "pool", "unknown instruction id '" + id + "'");
  });
  return s;
}

}  // namespace bigpe::engine
