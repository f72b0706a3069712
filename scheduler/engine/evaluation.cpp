#include "scheduler/engine/evaluation.h"

#include <cmath>

#include "scheduler/engine/fault_point.h"
#include "scheduler/engine/parallel_map.h"
#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"

namespace bigpe::engine {

const MethodResult* EvaluationResult::find(const std::string& method) const {
  for (const MethodResult& m : methods)
    if (m.method == method) return &m;
  return nullptr;
}

void summarize(MethodResult& m) {
  m.n = static_cast<int>(m.values.size());
  if (m.n == 0) return;
  double sum = 0;
  for (double v : m.values) sum += v;
  m.mean = sum / m.n;
  double ss = 0;
  for (double v : m.values) ss += (v - m.mean) * (v - m.mean);
  double se = m.n > 1 ? std::sqrt(ss / (m.n - 1) / m.n) : 0.0;
  m.ci_low = m.mean - 1.96 * se;
  m.ci_high = m.mean + 1.96 * se;
}

MethodResult paired_difference(const MethodResult& a, const MethodResult& b, const std::string& name) {
  MethodResult d;
  d.method = name;
  for (std::size_t i = 0; i < a.values.size() && i < b.values.size(); ++i)
    d.values.push_back(a.values[i] - b.values[i]);
  summarize(d);
  return d;
}

EvaluationResult evaluate(EngineContext& ctx, const std::string& final_instruction) {
  const ExperimentSettings& s = ctx.settings;
  EvaluationResult r;
  r.queries = ctx.queries.heldout;
  r.seeds = s.eval_seeds;
  const std::size_t cells = r.queries.size() * static_cast<std::size_t>(r.seeds);
  auto query_of = [&](std::size_t c) { return r.queries[c / r.seeds]; };
  auto seed_of = [&](std::size_t c) { return s.eval_seed_base + static_cast<int64_t>(c % r.seeds); };
  // Sample index j for seed j: the same generator sample for every
  // instruction on a cell, in this and in every other experiment.
  auto generate = [&](const std::string& instruction) {
    return parallel_map<std::string>(cells, s.llm_max_concurrent, [&](std::size_t c) {
      return ctx.generator.generate(instruction, query_of(c), static_cast<int>(c % r.seeds));
    });
  };
  std::vector<std::string> baseline = generate(s.initial_instruction);
  std::vector<std::string> optimized = generate(final_instruction);

  std::vector<RenderJob> jobs;
  std::vector<std::string> professional(r.queries.size());
  for (std::size_t qi = 0; qi < r.queries.size(); ++qi) {
    std::vector<std::string> rows = ctx.prodb.rows_for(r.queries[qi]);
    if (rows.empty()) rows = ctx.prodb.exemplars(r.queries[qi], 1);
    professional[qi] = rows.empty() ? r.queries[qi] : rows.front();
  }
  for (std::size_t c = 0; c < cells; ++c) jobs.push_back({query_of(c), query_of(c), seed_of(c)});
  for (std::size_t c = 0; c < cells; ++c) jobs.push_back({baseline[c], query_of(c), seed_of(c)});
  for (std::size_t c = 0; c < cells; ++c)
    jobs.push_back({professional[c / r.seeds], query_of(c), seed_of(c)});
  for (std::size_t c = 0; c < cells; ++c) jobs.push_back({optimized[c], query_of(c), seed_of(c)});
  std::vector<RenderOutcome> outcomes = ctx.dispatcher.run(jobs);
  fault_point("eval:rendered");

  const char* names[] = {"plain", "baseline", "professional", "optimized"};
  for (int m = 0; m < 4; ++m) {
    MethodResult mr;
    mr.method = names[m];
    if (m == 1) mr.instruction = s.initial_instruction;
    if (m == 3) mr.instruction = final_instruction;
    for (std::size_t c = 0; c < cells; ++c) mr.values.push_back(outcomes[m * cells + c].score);
    summarize(mr);
    r.methods.push_back(std::move(mr));
  }
  return r;
}

std::string encode_evaluation(const EvaluationResult& r) {
  return schemas::write_body(3, [&](schemas::MapWriter& w) {
    auto& pk = w.packer();
    w.field("queries", r.queries).field("seeds", r.seeds);
    w.key("methods");
    pk.pack_array(static_cast<uint32_t>(r.methods.size()));
    for (const MethodResult& m : r.methods) {
      schemas::MapWriter mw(pk, 3);
      mw.field("method", m.method).field("instruction", m.instruction).field("values", m.values);
    }
  });
}

EvaluationResult decode_evaluation(const std::string& bytes) {
  EvaluationResult r;
  schemas::read_body(bytes, "Evaluation", [&](const schemas::MapReader& m) {
    r.queries = m.required<std::vector<std::string>>("queries");
    r.seeds = m.required<int>("seeds");
    auto methods = m.array("methods", true);
    for (std::size_t i = 0; i < methods.size(); ++i) {
      schemas::MapReader mm = m.nested(*methods[i], "methods[" + std::to_string(i) + "]");
      MethodResult mr;
      mr.method = mm.required<std::string>("method");
      mr.instruction = mm.optional<std::string>("instruction", "");
      mr.values = mm.required<std::vector<double>>("values");
      summarize(mr);
      r.methods.push_back(std::move(mr));
    }
  });
  return r;
}

}  // namespace bigpe::engine
