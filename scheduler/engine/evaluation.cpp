#include "scheduler/engine/evaluation.h"

#include "scheduler/stats/bootstrap.h"
#include "common/fault_point.h"
#include "common/parallel_for.h"
#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"
#include "schemas/decode_error.h"
#include "scheduler/render/score_target.h"

namespace bigpe::engine {

const MethodResult* EvaluationResult::find(const std::string& method) const {
  for (const MethodResult& m : methods)
    if (m.method == method) return &m;
  return nullptr;
}

namespace {

void summarize_as(MethodResult& m, const std::string& stream) {
  m.n = static_cast<int>(m.values.size());
  m.mean = mean_of_values(m.values);
  Interval ci = bootstrap_mean_interval(m.values, "eval|" + stream);
  m.ci_low = ci.low;
  m.ci_high = ci.high;
}

// The stream of a pair's difference; the two gains keep the names the
// console table has always used, so its figures do not move.
std::string pair_stream(const std::string& a, const std::string& b) {
  if (a == "optimized" && b == "baseline") return "gain over I0";
  if (a == "optimized" && b == "professional") return "gain over professional";
  return a + " - " + b;
}

}  // namespace

void summarize(MethodResult& m) { summarize_as(m, m.method); }

MethodResult paired_difference(const MethodResult& a, const MethodResult& b, const std::string& name) {
  MethodResult d;
  d.method = name;
  for (std::size_t i = 0; i < a.values.size() && i < b.values.size(); ++i)
    d.values.push_back(a.values[i] - b.values[i]);
  summarize_as(d, pair_stream(a.method, b.method));
  return d;
}

namespace {

// Records written before seed_base was stored all used this base.
constexpr int64_t kSeedBaseBeforeItWasStored = 1000000;

EvalCells plan_of(const EngineContext& ctx, const std::vector<std::string>& queries) {
  EvalCells p;
  p.queries = queries;
  p.seeds = ctx.settings.eval_seeds;
  p.seed_base = ctx.settings.eval_seed_base;
  return p;
}

std::vector<RenderJob> generated_jobs(EngineContext& ctx, const EvalCells& p, const std::string& instruction) {
  std::vector<std::string> prompts =
      parallel_map<std::string>(p.size(), ctx.settings.llm_concurrency(), [&](std::size_t c) {
        return ctx.generator.generate(instruction, p.query_of(c), p.sample_of(c));
      });
  std::vector<RenderJob> jobs;
  for (std::size_t c = 0; c < p.size(); ++c) jobs.push_back({prompts[c], p.query_of(c), p.seed_of(c)});
  return jobs;
}

std::vector<RenderJob> plain_jobs(const EvalCells& p) {
  std::vector<RenderJob> jobs;
  for (std::size_t c = 0; c < p.size(); ++c) jobs.push_back({p.query_of(c), p.query_of(c), p.seed_of(c)});
  return jobs;
}

std::vector<RenderJob> professional_jobs(const EngineContext& ctx, const EvalCells& p) {
  std::vector<RenderJob> jobs;
  for (std::size_t c = 0; c < p.size(); ++c) {
    const std::string& q = p.query_of(c);
    std::vector<std::string> rows = ctx.prodb.rows_for(q);
    if (rows.empty()) rows = ctx.prodb.exemplars(q, 1);
    jobs.push_back({rows.empty() ? q : rows.front(), q, p.seed_of(c)});
  }
  return jobs;
}

std::vector<RenderJob> jobs_of(EngineContext& ctx, const EvalCells& p, const EvalMethod& m) {
  switch (m.kind) {
    case EvalMethod::Kind::kPlain: return plain_jobs(p);
    case EvalMethod::Kind::kProfessional: return professional_jobs(ctx, p);
    case EvalMethod::Kind::kGenerated: return generated_jobs(ctx, p, m.instruction);
  }
  return {};
}

}  // namespace

std::vector<RenderJob> evaluation_fixed_jobs(EngineContext& ctx) {
  EvalCells p = plan_of(ctx, ctx.queries.heldout);
  std::vector<RenderJob> jobs = plain_jobs(p);
  std::vector<RenderJob> pro = professional_jobs(ctx, p);
  jobs.insert(jobs.end(), pro.begin(), pro.end());
  std::vector<RenderJob> base = generated_jobs(ctx, p, ctx.settings.initial_instruction);
  jobs.insert(jobs.end(), base.begin(), base.end());
  return jobs;
}

EvaluationResult evaluate_methods(EngineContext& ctx, const std::vector<std::string>& queries,
                                  const std::vector<EvalMethod>& methods) {
  EvalCells p = plan_of(ctx, queries);
  EvaluationResult r;
  static_cast<EvalCells&>(r) = p;
  std::vector<RenderJob> jobs;
  for (const EvalMethod& m : methods) {
    std::vector<RenderJob> arm = jobs_of(ctx, p, m);
    jobs.insert(jobs.end(), arm.begin(), arm.end());
  }
  std::vector<RenderOutcome> outcomes = ctx.renders.run(jobs);
  fault_point("eval:rendered");
  const std::vector<std::string> judges = parse_judges(ctx.settings.score_judges);
  for (const std::string& j : judges) r.judges.push_back({j, {}});

  for (std::size_t m = 0; m < methods.size(); ++m) {
    MethodResult mr;
    mr.method = methods[m].name;
    mr.instruction = methods[m].instruction;
    for (std::size_t c = 0; c < p.size(); ++c) {
      const std::size_t k = m * p.size() + c;
      mr.values.push_back(outcomes[k].score);
      mr.prompts.push_back(jobs[k].prompt);
      mr.images.push_back(outcomes[k].image_uri);
    }
    for (JudgeResult& jr : r.judges) {
      MethodResult jm;
      jm.method = mr.method;
      jm.instruction = mr.instruction;
      jm.prompts = mr.prompts;
      jm.images = mr.images;
      for (std::size_t c = 0; c < p.size(); ++c) {
        const RenderOutcome& o = outcomes[m * p.size() + c];
        auto it = o.scores.find(jr.judge);
        if (it == o.scores.end())
          throw RenderFailed("score.judges names '" + jr.judge + "', and the result of " + o.key +
                             " has no score of it (the workers' --scorer list must include it)");
        jm.values.push_back(it->second);
      }
      summarize(jm);
      jr.methods.push_back(std::move(jm));
    }
    summarize(mr);
    r.methods.push_back(std::move(mr));
  }
  return r;
}

EvaluationResult EvaluationResult::judged_by(const std::string& judge) const {
  for (const JudgeResult& j : judges)
    if (j.judge == judge) {
      EvaluationResult out;
      static_cast<EvalCells&>(out) = *this;
      out.methods = j.methods;
      return out;
    }
  throw std::out_of_range("the evaluation has no judge '" + judge + "'");
}

namespace {

std::vector<EvalMethod> held_out_methods(const EngineContext& ctx, const std::string& final_instruction) {
  using K = EvalMethod::Kind;
  return {{"plain", K::kPlain, ""},
          {"baseline", K::kGenerated, ctx.settings.initial_instruction},
          {"professional", K::kProfessional, ""},
          {"optimized", K::kGenerated, final_instruction}};
}

}  // namespace

EvaluationResult evaluate(EngineContext& ctx, const std::string& final_instruction) {
  return evaluate_methods(ctx, ctx.queries.heldout, held_out_methods(ctx, final_instruction));
}

long evaluation_render_count(const EngineContext& ctx) {
  return static_cast<long>(plan_of(ctx, ctx.queries.heldout).size() * held_out_methods(ctx, "").size());
}

std::string encode_evaluation(const EvaluationResult& r) {
  // `judges` only when there are some: an evaluation without keeps its bytes.
  return schemas::write_body(r.judges.empty() ? 4 : 5, [&](schemas::MapWriter& w) {
    auto& pk = w.packer();
    w.field("queries", r.queries).field("seeds", r.seeds).field("seed_base", r.seed_base);
    w.key("methods");
    pk.pack_array(static_cast<uint32_t>(r.methods.size()));
    for (const MethodResult& m : r.methods) {
      schemas::MapWriter mw(pk, 5);
      mw.field("method", m.method).field("instruction", m.instruction).field("values", m.values);
      mw.field("prompts", m.prompts).field("images", m.images);
    }
    if (r.judges.empty()) return;
    // Per judge only its values: methods, prompts and images are the ones above.
    w.key("judges");
    pk.pack_array(static_cast<uint32_t>(r.judges.size()));
    for (const JudgeResult& j : r.judges) {
      schemas::MapWriter jw(pk, 2);
      jw.field("judge", j.judge);
      jw.key("values");
      pk.pack_array(static_cast<uint32_t>(j.methods.size()));
      for (const MethodResult& m : j.methods) pk.pack(m.values);
    }
  });
}

EvaluationResult decode_evaluation(const std::string& bytes) {
  EvaluationResult r;
  schemas::read_body(bytes, "Evaluation", [&](const schemas::MapReader& m) {
    r.queries = m.required<std::vector<std::string>>("queries");
    r.seeds = m.required<int>("seeds");
    r.seed_base = m.optional<int64_t>("seed_base", kSeedBaseBeforeItWasStored);
    auto methods = m.array("methods", true);
    for (std::size_t i = 0; i < methods.size(); ++i) {
      schemas::MapReader mm = m.nested(*methods[i], "methods[" + std::to_string(i) + "]");
      MethodResult mr;
      mr.method = mm.required<std::string>("method");
      mr.instruction = mm.optional<std::string>("instruction", "");
      mr.values = mm.required<std::vector<double>>("values");
      mr.prompts = mm.optional<std::vector<std::string>>("prompts", {});
      mr.images = mm.optional<std::vector<std::string>>("images", {});
      summarize(mr);
      r.methods.push_back(std::move(mr));
    }
    auto judges = m.array("judges", false);
    for (std::size_t i = 0; i < judges.size(); ++i) {
      schemas::MapReader jm = m.nested(*judges[i], "judges[" + std::to_string(i) + "]");
      JudgeResult jr;
      jr.judge = jm.required<std::string>("judge");
      auto values = jm.required<std::vector<std::vector<double>>>("values");
      if (values.size() != r.methods.size())
        throw schemas::DecodeError(jm.message_name(), "values", "one list per method expected");
      for (std::size_t k = 0; k < values.size(); ++k) {
        MethodResult mr = r.methods[k];
        mr.values = std::move(values[k]);
        summarize(mr);
        jr.methods.push_back(std::move(mr));
      }
      r.judges.push_back(std::move(jr));
    }
  });
  return r;
}

}  // namespace bigpe::engine
