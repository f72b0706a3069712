#pragma once
// `bigpe export EXPERIMENT|CAMPAIGN --out DIR`: an experiment's or a whole
// campaign's records as JSONL, for scripts/aggregate and anyone else.
// The layout is a contract (docs/campaigns.md):
//   DIR/experiments.jsonl   experiment_id, campaign_id, variant, repeat,
//                           config {key: value text}, config_hash, status,
//                           final_instruction, iterations
//   DIR/iterations.jsonl    experiment_id, iteration (1-based), best, mean,
//                           renders (cumulative render jobs, what
//                           budget.renders counts), queries, arms [{id, text, prompts, scores,
//                           batch_score}], professional [{query, prompt,
//                           score}], selected, i_low, pairs, gradient_text,
//                           improvements, children
//   DIR/instructions.jsonl  experiment_id, id, text, parent, born (1-based
//                           iteration, 0 for I0), improvement, score_n,
//                           score_mean (its per-query scores in the
//                           optimization), score_best (its best batch
//                           score); null scores when never rendered
//   DIR/evaluation.jsonl    one row per cell of the end-of-run evaluation:
//                           experiment_id, method, instruction, query, seed,
//                           score, prompt, image (path relative to DIR, or "")
//   DIR/images/<experiment_id>/<file>.png   the images referenced
// A standalone experiment has campaign_id "", variant = its name, repeat 0.
//
// Thread-safety: call from the main thread.
#include <iosfwd>
#include <string>

namespace bigpe::engine {

struct ExportRequest {
  std::string target;     // run folder, campaign folder, or an id with redis_url
  std::string redis_url;  // --redis
  std::string out_dir;    // --out (required)
  bool images = true;     // copy the images referenced
  // Write into a non-empty --out folder (refused otherwise): the export's
  // files and its experiments' images/<id>/ are replaced, nothing else.
  bool force = false;
};

// Returns the exit status: 0 written, 1 bad input (a non-empty --out
// without force included) or unreadable records.
int run_export(const ExportRequest& request, std::ostream& out);

}  // namespace bigpe::engine
