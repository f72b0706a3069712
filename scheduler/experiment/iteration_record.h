#pragma once
// The record of one iteration (bigpe:exp:<id>:iter:<n>): what was asked,
// rendered and scored, what the selector kept, the gradient text and the
// children. Reports and exports read it; the loop never reads it back.
#include <cstddef>
#include <string>
#include <vector>

namespace bigpe::engine {

struct ArmRecord {
  std::string id;
  std::string text;
  std::vector<std::string> prompts;  // per query, in IterationRecord::queries order
  std::vector<double> scores;        // per query (mean over images)
  double batch_score = 0.0;
  // Per query, the first image's path ("" when none was written); empty in
  // records from before it was kept (`bigpe serve` shows them).
  std::vector<std::string> images;
};

struct ProfessionalRecord {
  std::string query;
  std::string prompt;
  double score = 0.0;
  std::string image;  // the first image's path, "" when none
};

struct IterationRecord {
  int iteration = 0;
  std::vector<std::string> queries;
  std::vector<ArmRecord> arms;
  std::vector<ProfessionalRecord> professional;
  std::vector<std::string> selected;  // ids kept, in selection order
  std::string i_low;
  std::size_t pairs = 0;
  std::string gradient_text;
  std::vector<std::string> improvements;
  std::vector<std::string> children;  // ids
};

std::string encode_iteration(const IterationRecord& r);
IterationRecord decode_iteration(const std::string& bytes);

}  // namespace bigpe::engine
