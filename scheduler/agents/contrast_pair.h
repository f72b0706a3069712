#pragma once
// ContrastPair: one query on which the worst instruction lost, with its
// prompt and score next to the best prompt for that same query (which may be
// another instruction's or a professional one). The Gradient Calculator
// reads the difference between the two as a "gradient".
#include <string>

namespace bigpe {

struct ContrastPair {
  std::string query;
  std::string low_prompt;
  double low_score = 0.0;
  std::string high_prompt;
  double high_score = 0.0;
};

}  // namespace bigpe
