#include "scheduler/engine/paper_loop.h"
#include "scheduler/engine/paper_pairs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/seeded_rng.h"
#include "scheduler/engine/evaluation.h"
#include "common/fault_point.h"
#include "scheduler/engine/iteration_boundary.h"
#include "scheduler/experiment/iteration_record.h"
#include "common/parallel_for.h"
#include "scheduler/engine/prompt_generations.h"

namespace bigpe::engine {
namespace {

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

// The professional prompts shown for q this iteration: a sample of the
// query's own rows, or of its BM25 exemplars when it has none.
std::vector<std::string> professional_prompts(const EngineContext& ctx, const std::string& q, int it) {
  const ExperimentSettings& s = ctx.settings;
  if (s.pro_source == "none" || s.pro_count == 0) return {};
  std::vector<std::string> rows = ctx.prodb.rows_for(q);
  if (rows.empty()) rows = ctx.prodb.exemplars(q, static_cast<std::size_t>(s.pro_exemplars));
  SeededRng rng(stream_key(s, "professional|" + q, it));
  return rng.sample(rows, static_cast<std::size_t>(s.pro_count));
}

int64_t training_seed(const ExperimentSettings& s, int it, const std::string& q, int j,
                      const std::string& source) {
  std::string material = stream_key(s, "train-image", it) + "|" + q + "|" + std::to_string(j);
  if (!s.paired) material += "|" + source;
  return image_seed(material);
}

// Q for iteration `it`: a pure function of (seed, it), so the prefetch of
// a later iteration and the iteration itself agree.
std::vector<std::string> iteration_queries(const EngineContext& ctx, int it) {
  SeededRng rng(stream_key(ctx.settings, "queries", it));
  return rng.sample(ctx.queries.train, static_cast<std::size_t>(ctx.settings.batch_size));
}

void add_professional_jobs(const EngineContext& ctx, int it, const std::string& q,
                           const std::vector<std::string>& prompts, std::vector<RenderJob>& jobs) {
  for (const std::string& p : prompts)
    for (int j = 0; j < ctx.settings.images_per_prompt; ++j)
      jobs.push_back({p, q, training_seed(ctx.settings, it, q, j, "pro|" + p)});
}

std::vector<RenderJob> professional_jobs(const EngineContext& ctx, int it) {
  std::vector<RenderJob> jobs;
  for (const std::string& q : iteration_queries(ctx, it))
    add_professional_jobs(ctx, it, q, professional_prompts(ctx, q, it), jobs);
  return jobs;
}

// Renders the next step will need whatever this iteration's outcome: the
// next iteration's professional prompts, or after the last iteration the
// evaluation's arms that do not depend on the final instruction.
std::vector<RenderJob> jobs_ahead(EngineContext& ctx, int it) {
  if (it + 1 < ctx.settings.iterations) return professional_jobs(ctx, it + 1);
  if (ctx.settings.eval_enabled) return evaluation_fixed_jobs(ctx);
  return {};
}

}  // namespace

void seed_pool(ExperimentState& state, const std::string& initial_instruction) {
  if (!state.pool.empty()) return;
  if (!state.instructions.count("i0"))
    state.instructions["i0"] = InstructionRecord{"i0", initial_instruction, "", -1, ""};
  state.pool.push_back("i0");
}

PaperLoop::PaperLoop(EngineContext& ctx)
    : ctx_(ctx),
      selector_(make_selector(ctx.settings.selector)),
      generations_([&ctx](const GenerationCall& c) {
        return ctx.generator.generate(c.instruction, c.query, c.sample_index);
      }) {}

void PaperLoop::run_iteration(ExperimentState& state) {
  const ExperimentSettings& s = ctx_.settings;
  const int it = state.next_iteration;
  const std::string tag = iteration_tag(it);
  const IterationBoundary boundary(ctx_, it);
  seed_pool(state, s.initial_instruction);

  IterationRecord rec;
  rec.iteration = it;
  rec.queries = iteration_queries(ctx_, it);
  const std::vector<std::string>& Q = rec.queries;

  // This iteration's professional prompts do not depend on the generator:
  // on a fresh start they keep workers busy while it runs (later iterations
  // submitted them before the previous barrier; then this is a no-op).
  if (s.prefetch) ctx_.renders.prefetch(professional_jobs(ctx_, it));

  // 1. Generate every pooled instruction's prompt for every query (those of
  // instructions that survived the last selection may be under way since
  // then), submitting each prompt's renders as it arrives.
  const int si = training_sample_index(s, it);
  const std::size_t n_arms = state.pool.size();
  const int images = s.images_per_prompt;
  auto arm_jobs = [&](std::size_t k, const std::string& prompt, std::vector<RenderJob>& out) {
    const std::string& q = Q[k % Q.size()];
    const std::string& text = state.instructions.at(state.pool[k / Q.size()]).text;
    for (int j = 0; j < images; ++j) out.push_back({prompt, q, training_seed(s, it, q, j, text)});
  };
  std::vector<GenerationCall> calls;
  for (std::size_t k = 0; k < n_arms * Q.size(); ++k)
    calls.push_back({state.instructions.at(state.pool[k / Q.size()]).text, Q[k % Q.size()], si});
  PromptGenerations::OnReady render_early;
  if (s.llm_overlap)
    render_early = [&](const std::vector<std::size_t>& arrived, const std::vector<std::string>& got) {
      std::vector<RenderJob> early;
      for (std::size_t k : arrived) arm_jobs(k, got[k], early);
      ctx_.renders.prefetch(early);
    };
  PromptGenerations::Idle take_results;
  if (s.llm_overlap) take_results = [&] { ctx_.renders.pump(); };
  std::vector<std::string> prompts = generations_.collect(calls, s.llm_concurrency(), render_early, take_results);
  generations_.forget_finished();
  fault_point(tag + ":generated");

  // 2. Render arms and professional prompts in one submission.
  std::vector<RenderJob> jobs;
  for (std::size_t k = 0; k < prompts.size(); ++k) arm_jobs(k, prompts[k], jobs);
  std::vector<std::vector<std::string>> pros(Q.size());
  for (std::size_t qi = 0; qi < Q.size(); ++qi) {
    pros[qi] = professional_prompts(ctx_, Q[qi], it);
    add_professional_jobs(ctx_, it, Q[qi], pros[qi], jobs);
  }
  // Submit this iteration first, then work that does not depend on its
  // outcome, so workers stay busy through the iteration barrier.
  ctx_.renders.prefetch(jobs);
  if (s.prefetch) ctx_.renders.prefetch(jobs_ahead(ctx_, it));
  std::vector<RenderOutcome> outcomes = ctx_.renders.run(jobs);
  fault_point(tag + ":rendered");

  // 3. Scores: per (arm, query) the mean over images; batch score = mean over queries.
  std::size_t cursor = 0;
  std::string first_image;  // of the cell next_mean() last read, for `bigpe serve`
  auto next_mean = [&] {
    double sum = 0;
    first_image = outcomes[cursor].image_uri;
    for (int j = 0; j < images; ++j) sum += outcomes[cursor++].score;
    return sum / images;
  };
  std::vector<Candidate> candidates;
  for (std::size_t a = 0; a < n_arms; ++a) {
    ArmRecord arm;
    arm.id = state.pool[a];
    arm.text = state.instructions.at(arm.id).text;
    for (std::size_t qi = 0; qi < Q.size(); ++qi) {
      arm.prompts.push_back(prompts[a * Q.size() + qi]);
      arm.scores.push_back(next_mean());
      arm.images.push_back(first_image);
    }
    arm.batch_score = mean_of(arm.scores);
    ArmHistory& h = state.history[arm.text];
    h.scores.insert(h.scores.end(), arm.scores.begin(), arm.scores.end());
    ++h.pulls;
    candidates.push_back({arm.text, arm.batch_score});
    rec.arms.push_back(std::move(arm));
  }
  for (std::size_t qi = 0; qi < Q.size(); ++qi)
    for (const std::string& p : pros[qi]) {
      const double score = next_mean();
      rec.professional.push_back({Q[qi], p, score, first_image});
    }

  // The final instruction is the best of the last iteration rendered.
  std::size_t best = 0;
  for (std::size_t a = 1; a < rec.arms.size(); ++a)
    if (rec.arms[a].batch_score > rec.arms[best].batch_score) best = a;
  state.final_id = rec.arms[best].id;

  // 4. Selection.
  SeededRng select_rng(stream_key(s, "select", it));
  std::vector<int> kept = selector_->select(candidates, s.pool_size, it, state.history, select_rng);
  for (int k : kept) rec.selected.push_back(rec.arms[k].id);

  // 5. I_low: worst kept by batch score (first of equals in pool order).
  int low = kept.front();
  for (int k : kept)
    if (rec.arms[k].batch_score < rec.arms[low].batch_score ||
        (rec.arms[k].batch_score == rec.arms[low].batch_score && k < low))
      low = k;
  const ArmRecord& low_arm = rec.arms[low];
  rec.i_low = low_arm.id;

  // The kept arms other than I_low are in the next pool whatever the
  // gradient calculator says: their next prompts can be asked for now, so
  // the LLM server works on them while the chain below waits on it.
  const bool last = it + 1 >= s.iterations ||
                    (s.budget.renders > 0 && state.renders_spent + static_cast<long>(jobs.size()) >= s.budget.renders);
  if (s.llm_overlap && !last) {
    const std::vector<std::string> next_q = iteration_queries(ctx_, it + 1);
    const int next_si = training_sample_index(s, it + 1);
    std::vector<GenerationCall> ahead;
    for (int k : kept)
      if (k != low)
        for (const std::string& q : next_q) ahead.push_back({rec.arms[k].text, q, next_si});
    // A quarter of the calls in flight is left to the chain below, so the
    // gradient calculator and the modifier do not queue behind early calls.
    generations_.start(ahead, std::max(1, s.llm_concurrency() - std::max(1, s.llm_concurrency() / 4)));
  }

  // 6. Contrast pairs against the best prompt per query (arms + professional).
  std::vector<ContrastPair> pairs = paper_contrast_pairs(rec, low_arm);
  rec.pairs = pairs.size();

  // 7. Children of I_low.
  std::vector<std::pair<std::string, std::string>> children;  // (text, improvement)
  if (s.gc == "random" || pairs.empty()) {
    for (const std::string& text : ctx_.modifier.fallback(low_arm.text, si))
      children.push_back({text, "fallback"});
  } else {
    GradientCalculator::Output out = ctx_.gradient.compute(low_arm.text, pairs, si);
    rec.gradient_text = out.raw;
    rec.improvements = out.improvements;
    std::vector<std::optional<std::string>> modified = parallel_map<std::optional<std::string>>(
        out.improvements.size(), s.llm_concurrency(),
        [&](std::size_t k) { return ctx_.modifier.modify(out.improvements[k], low_arm.text, si + static_cast<int>(k)); });
    for (std::size_t k = 0; k < modified.size(); ++k)
      if (modified[k]) children.push_back({*modified[k], out.improvements[k]});
  }

  // 8. New pool: kept minus I_low plus distinct new children.
  std::vector<std::string> pool;
  std::set<std::string> texts;
  for (int k : kept)
    if (k != low) {
      pool.push_back(rec.arms[k].id);
      texts.insert(rec.arms[k].text);
    }
  std::vector<InstructionRecord> born;
  for (const auto& [text, improvement] : children) {
    if (text.empty() || !texts.insert(text).second) continue;
    InstructionRecord r{"i" + std::to_string(state.next_instruction++), text, low_arm.id, it, improvement};
    state.instructions[r.id] = r;
    pool.push_back(r.id);
    born.push_back(r);
    rec.children.push_back(r.id);
  }
  state.pool = pool;

  // 9. Commit the boundary.
  IterationSummary sum;
  sum.best = rec.arms[best].batch_score;
  sum.best_id = rec.arms[best].id;
  std::vector<double> batch_scores;
  for (const ArmRecord& a : rec.arms) batch_scores.push_back(a.batch_score);
  sum.mean = mean_of(batch_scores);
  sum.pool = static_cast<int>(rec.arms.size());
  state.renders_spent += static_cast<long>(jobs.size());
  state.next_iteration = it + 1;
  // budget.renders lets the paper loop be compared at a fixed render budget:
  // it stops at the first iteration boundary that reaches it.
  state.finished = last;
  boundary.commit(state, sum, rec, born);
}

}  // namespace bigpe::engine
