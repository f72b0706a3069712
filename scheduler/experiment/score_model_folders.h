#pragma once
// score.model: the model folders of the local torchscript-sd workers'
// libtorch scorers, comma-separated ("models/hpsv2,models/pickscore"; a
// folder path may not contain a comma). Each is loaded by the scorer of its
// manifest's family (models/core/scorer_folders.h), as `bigpe worker`
// loads its repeated --scorer-model folders.
//
// Pure functions.
#include <string>
#include <vector>

namespace bigpe::engine {

// Why `spec` is not a folder list (an empty entry); empty when it is, and
// for an empty spec (infrastructure_problems() says it is needed).
std::string score_model_problem(const std::string& spec);

// The folders, in order; none for an empty spec.
// REQUIRES: score_model_problem(spec) is empty.
std::vector<std::string> score_model_folders(const std::string& spec);

}  // namespace bigpe::engine
