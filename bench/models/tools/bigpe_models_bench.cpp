// bigpe-models-bench MODEL_DIR [SCORER_DIR] [DEVICE] [STEPS] [PYTHON]: `bigpe bench
// models` for the models-only build (scripts/gpu-check), which has no CLI11
// and no bigpe executable.
#include <cstdlib>
#include <iostream>

#include "bench/models/models_bench.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bigpe-models-bench MODEL_DIR [SCORER_DIR|-] [DEVICE] [STEPS] [PYTHON|-]\n";
    return 2;
  }
  bigpe::models::ModelsBenchOptions o;
  o.model = argv[1];
  if (argc > 2 && std::string(argv[2]) != "-") o.scorer_model = argv[2];
  if (argc > 3) o.device = argv[3];
  if (argc > 4) o.steps = std::atoi(argv[4]);
  if (argc > 5) o.python = std::string(argv[5]) == "-" ? "" : argv[5];
  try {
    bigpe::models::run_models_bench(o, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "bigpe-models-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
