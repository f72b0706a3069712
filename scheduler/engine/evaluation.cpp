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

namespace {

struct EvalPlan {
  std::vector<std::string> queries;
  int seeds = 0;
  std::size_t cells = 0;
  const std::string& query(std::size_t c) const { return queries[c / seeds]; }
};

EvalPlan plan_of(const EngineContext& ctx) {
  EvalPlan p;
  p.queries = ctx.queries.heldout;
  p.seeds = ctx.settings.eval_seeds;
  p.cells = p.queries.size() * static_cast<std::size_t>(p.seeds);
  return p;
}

// Sample index j for seed j: the same generator sample for every
// instruction on a cell, in this and in every other experiment.
std::vector<RenderJob> generated_jobs(EngineContext& ctx, const EvalPlan& p, const std::string& instruction) {
  const ExperimentSettings& s = ctx.settings;
  std::vector<std::string> prompts = parallel_map<std::string>(p.cells, s.llm_max_concurrent, [&](std::size_t c) {
    return ctx.generator.generate(instruction, p.query(c), static_cast<int>(c % p.seeds));
  });
  std::vector<RenderJob> jobs;
  for (std::size_t c = 0; c < p.cells; ++c)
    jobs.push_back({prompts[c], p.query(c), s.eval_seed_base + static_cast<int64_t>(c % p.seeds)});
  return jobs;
}

std::vector<RenderJob> plain_jobs(const EngineContext& ctx, const EvalPlan& p) {
  std::vector<RenderJob> jobs;
  for (std::size_t c = 0; c < p.cells; ++c)
    jobs.push_back({p.query(c), p.query(c), ctx.settings.eval_seed_base + static_cast<int64_t>(c % p.seeds)});
  return jobs;
}

std::vector<RenderJob> professional_jobs(const EngineContext& ctx, const EvalPlan& p) {
  std::vector<RenderJob> jobs;
  for (std::size_t c = 0; c < p.cells; ++c) {
    const std::string& q = p.query(c);
    std::vector<std::string> rows = ctx.prodb.rows_for(q);
    if (rows.empty()) rows = ctx.prodb.exemplars(q, 1);
    jobs.push_back({rows.empty() ? q : rows.front(), q,
                    ctx.settings.eval_seed_base + static_cast<int64_t>(c % p.seeds)});
  }
  return jobs;
}

}  // namespace

std::vector<RenderJob> evaluation_fixed_jobs(EngineContext& ctx) {
  EvalPlan p = plan_of(ctx);
  std::vector<RenderJob> jobs = plain_jobs(ctx, p);
  std::vector<RenderJob> pro = professional_jobs(ctx, p);
  jobs.insert(jobs.end(), pro.begin(), pro.end());
  std::vector<RenderJob> base = generated_jobs(ctx, p, ctx.settings.initial_instruction);
  jobs.insert(jobs.end(), base.begin(), base.end());
  return jobs;
}

EvaluationResult evaluate(EngineContext& ctx, const std::string& final_instruction) {
  EvalPlan p = plan_of(ctx);
  EvaluationResult r;
  r.queries = p.queries;
  r.seeds = p.seeds;
  std::vector<std::vector<RenderJob>> arms = {
      plain_jobs(ctx, p), generated_jobs(ctx, p, ctx.settings.initial_instruction),
      professional_jobs(ctx, p), generated_jobs(ctx, p, final_instruction)};
  std::vector<RenderJob> jobs;
  for (const auto& a : arms) jobs.insert(jobs.end(), a.begin(), a.end());
  std::vector<RenderOutcome> outcomes = ctx.renders.run(jobs);
  fault_point("eval:rendered");

  const char* names[] = {"plain", "baseline", "professional", "optimized"};
  for (std::size_t m = 0; m < 4; ++m) {
    MethodResult mr;
    mr.method = names[m];
    if (m == 1) mr.instruction = ctx.settings.initial_instruction;
    if (m == 3) mr.instruction = final_instruction;
    for (std::size_t c = 0; c < p.cells; ++c) mr.values.push_back(outcomes[m * p.cells + c].score);
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
